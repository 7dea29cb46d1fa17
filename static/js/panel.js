// The side panel for one view: the start of an epoch, a forward step, a backward term (the term
// first, then the list of the step's other terms), a step with no term, or an update.

import { lightPath, revealStep } from "./graph.js";
import {
  FACTOR_COLOURS, appendDiverged, renderBackwardSummary, renderForward, renderTerm, renderUpdate,
} from "./formula.js";
import { outputPicked } from "./forward.js";
import { recordOf } from "./timeline.js";
import { idOf } from "./cards.js";
import { page, sumsAt } from "./pagestate.js";
import { pickedEntry, startOnLargest } from "./worked.js";
import { presenting } from "./present.js";
import { createHTML } from "./svg.js";
import { formatNumber } from "./format.js";

/** A term's value as the list writes it: a number, or [a, b, …] for a small array. */
const formatValue = (value) => {
  const numbers = [value].flat(Infinity);
  return numbers.length === 1 ? formatNumber(numbers[0], 4) : `[${numbers.map((v) => formatNumber(v, 4)).join(", ")}]`;
};

const $ = (id) => document.getElementById(id);

/**
 * Draw the view into #formula (and #term-list for a term); light its path on the graph.
 * context: {graph, state, presets, views, show(index), termDetail(epoch, term)} — show moves the
 * page to another view; termDetail gives a term's factors once fetched (null while on its way).
 */
export function renderPanel(view, epoch, context) {
  const { graph, state } = context;
  const panel = $("formula");
  panelSizes(); // the stack follows the panel's height
  $("term-list").replaceChildren();
  // Keep the step being shown in view when the graph is wider than its panel (e.g. T = 20).
  revealStep(graph, !view || view.kind === "update" ? 0 : recordOf(view, epoch).t);
  if (!view) {
    lightPath(graph, null);
    renderStart(panel, epoch, context);
    return;
  }
  const record = recordOf(view, epoch);
  if (view.kind === "forward") {
    lightPath(graph, record.path);
    const args = [record, epoch.params, epoch.config ?? state.config, state.cell];
    showOrDraw(forwardKey(...args), (into) => renderForward(into, ...args), { taken: false });
  } else if (view.kind === "update") {
    lightPath(graph, null);
    renderUpdate(panel, record);
  } else if (view.term === null) {
    lightPath(graph, record.path);
    renderBackwardSummary(panel, record, epoch.config ?? state.config, state.cell);
    if (record.terms.length) renderTermList(view, record, context.views, context.show, epoch.config ?? state.config);
  } else {
    renderTermView(view, record, epoch, context);
  }
}

function renderStart(panel, epoch, { state, presets }) {
  const preset = presets.find((p) => p.id === state.preset);
  const fresh = epoch.epoch === state.epoch && !state.forward.length;
  const note = fresh
    ? "Press → or “Forward step” to compute h_1."
    : `Epoch ${epoch.epoch} began with the weights on the rails. Press → to walk through what came next.`;
  panel.replaceChildren(
    createHTML("h2", { text: preset?.title ?? "Your scenario" }),
    createHTML("p", { text: preset?.description ?? "" }),
    createHTML("p", { class: "note", text: note }),
  );
  if (epoch.epoch === state.epoch) appendDiverged(panel, state.diverged);
}

function renderTermView(view, record, epoch, context) {
  const { graph, state, views, show } = context;
  const summary = record.terms[view.term];
  const detail = context.termDetail(view.epoch, summary);
  const config = epoch.config ?? state.config;
  if (!detail || detail.error) {
    lightPath(graph, summary.dropped ? null : record.path);
    renderTermPending($("formula"), summary, detail, record, view, epoch.epoch === state.epoch);
    renderTermList(view, record, views, show, config);
    return;
  }
  const term = { ...summary, ...detail };
  const colours = factorColours(term);
  lightPath(graph, term.path, colours, { greyed: term.dropped });
  drawTerm(view, record, epoch, term, colours);
  appendDiverged($("formula"), record.diverged);
  renderTermList(view, record, views, show, config);
}

const factorColours = (term) =>
  new Map(term.factors.map((f, i) => [f.edge, FACTOR_COLOURS[i % FACTOR_COLOURS.length]]));

/** The term's summary, cards, product and running sums, into `panel` (renderTerm). */
function drawTerm(view, record, epoch, term, colours) {
  const context = termContext(view, record, epoch, term, colours, false);
  showOrDraw(termKey(view, term, context), (panel) => renderTerm(panel, term, context));
}

function termContext(view, record, epoch, term, colours, drawnAhead) {
  return {
    ahead: drawnAhead,
    index: view.term,
    count: record.terms.length,
    t: record.t,
    colourOf: (edge) => colours.get(edge),
    jacobianAt: (step) => epoch.backward.find((r) => r.t === step)?.jacobian ?? null,
    runningSoFar: new Map(Object.entries(term.running_all).map(([name, sum]) => [name, sum ?? undefined])),
  };
}

/**
 * All that a term's drawing depends on, as one string: the view, the term with its factors'
 * numbers and running sums, the step's t and count of terms, the entries in view, the digits
 * of the epoch's running sums and the mode. A factor sent without its value (a large model's
 * ∂h_j/∂h_{j−1}) reads a record's Jacobian: that record by identity.
 */
function termKey(view, term, context) {
  startOnLargest(term.id, term.value, term.factors.length - 1); // as renderTerm chooses
  const picks = ["term", ...term.factors.keys()].map((index) => pickedEntry(term.id, index));
  const jacobians = term.factors.map((factor) => (factor.value === null ? idOf(context.jacobianAt(factor.step)) : 0));
  const { kind, epoch, index, term: position } = view;
  const { count, t } = context; // the running sums are the term's own (running_all)
  const sums = sumsAt(page, term.epoch, term.id); // the digits of the epoch's sums, once here
  const digits = sums && { ...sums, others: [...sums.others] };
  return JSON.stringify([kind, epoch, index, position, count, t, term, picks, jacobians, digits, presenting()]);
}

/** All that a forward step's drawing depends on (renderForward's arguments), as one string. */
const forwardKey = (...args) => JSON.stringify(["forward", ...args, outputPicked(), presenting()]);

/**
 * The view drawn ahead: {key, panel, height}. Both panels lie in #formula-stack, in one grid
 * cell, each on a layer of its own: the one drawn ahead under the one shown, transparent. So
 * the browser styles, lays out and paints it while the page is idle. When the press asks for
 * the same drawing, the two change places (their order and opacity: what they hold is not
 * laid out again) and the stack takes the height of the one now shown (its new clip repaints
 * a little of them). The panel
 * shown before is put aside as it is (emptied when the next view is drawn ahead into it).
 */
let ahead = null;

/**
 * The view drawn ahead under `key` if there is one, else draw(#formula). taken: whether
 * draw takes elements from the views drawn before (renderTerm does, cards.js): then the one
 * drawn ahead may have lost some and is not shown later.
 */
function showOrDraw(key, draw, { taken = true } = {}) {
  if (ahead?.key === key) return showAhead();
  const panel = $("formula");
  draw(panel);
  restoreHeld(panel); // what it took from the panel put aside
  if (taken) clearAhead();
}

/** draw(panel) into the panel under the one shown, kept under `key` for the next press. */
function drawAhead(key, draw) {
  const shown = $("formula");
  const panel = $("formula-ahead") ?? createHTML("div", { id: "formula-ahead", class: shown.className });
  if (!panel.isConnected) {
    shown.after(panel);
    panelSizes().observe(panel);
  }
  panel.replaceChildren();
  draw(panel);
  putAside(panel);
  ahead = { key, panel, height: panel.offsetHeight }; // laid out now, while idle
}

/** The panel drawn ahead becomes #formula, as laid out and painted; the one shown is put aside. */
function showAhead() {
  const shown = $("formula");
  const { panel, height } = ahead;
  shown.id = "formula-ahead";
  panel.id = "formula";
  putAside(shown);
  bringBack(panel);
  $("formula-stack").style.height = `${height}px`;
  ahead = null;
}

/**
 * The stack is as high as the panel shown, the one under it clipped; the height of the one
 * drawn ahead is kept for the swap. Set at once by fitStack (before the page reads its
 * layout) and kept by a ResizeObserver as a panel grows or shrinks (a table opened, a font
 * loaded, a narrower window).
 */
let sizes = null;
function panelSizes() {
  if (sizes) return sizes;
  sizes = new ResizeObserver((entries) => {
    for (const { target, borderBoxSize: [size] } of entries) {
      if (target.id === "formula") $("formula-stack").style.height = `${size.blockSize}px`;
      else if (ahead?.panel === target) ahead.height = size.blockSize;
    }
  });
  sizes.observe($("formula")); // the one in the template; the one drawn ahead when made
  return sizes;
}

/** The stack at the shown panel's height now, before the page reads where things are. */
export function fitStack() {
  panelSizes();
  $("formula-stack").style.height = `${$("formula").offsetHeight}px`;
}

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

/**
 * A panel out of the way: under the one shown and transparent (CSS, by aria-hidden; still
 * styled, laid out and painted), hidden from screen readers, its ids held back as
 * data-ahead-id (one #term-value on the page) and nothing in it reachable with Tab. Not
 * `inert`: it is inherited, and setting it back restyles every element of the panel (~20 ms
 * for a seed step).
 */
function putAside(panel) {
  panel.setAttribute("aria-hidden", "true");
  for (const element of panel.querySelectorAll("[id]")) {
    element.dataset.aheadId = element.id;
    element.removeAttribute("id");
  }
  for (const element of panel.querySelectorAll(FOCUSABLE)) {
    if (element.dataset.aheadTabindex !== undefined) continue;
    element.dataset.aheadTabindex = element.getAttribute("tabindex") ?? "none";
    element.setAttribute("tabindex", "-1");
  }
}

/** A panel put aside shown again, or what was taken from one: its ids and Tab back. */
function bringBack(panel) {
  panel.removeAttribute("aria-hidden");
  restoreHeld(panel);
}

function restoreHeld(root) {
  for (const element of root.querySelectorAll("[data-ahead-id]")) {
    element.id = element.dataset.aheadId;
    delete element.dataset.aheadId;
  }
  for (const element of root.querySelectorAll("[data-ahead-tabindex]")) {
    const tabindex = element.dataset.aheadTabindex;
    if (tabindex === "none") element.removeAttribute("tabindex");
    else element.setAttribute("tabindex", tabindex);
    delete element.dataset.aheadTabindex;
  }
}

function clearAhead() {
  $("formula-ahead")?.replaceChildren();
  ahead = null;
}

/**
 * A term view drawn ahead, in the panel under the one shown (nothing shown, no path lit):
 * the next press shows that panel when it asks for the same drawing; else the view drawn then
 * takes the cards and lines that look the same (cards.js keeps them by what they show).
 * `epoch`: the records as they would be ({backward}).
 */
export function prepareTermView(view, record, epoch, detail) {
  const term = { ...record.terms[view.term], ...detail };
  const context = termContext(view, record, epoch, term, factorColours(term), true);
  drawAhead(termKey(view, term, context), (panel) => renderTerm(panel, term, context));
}

/** A forward step's view drawn ahead (as prepareTermView): `state` as it would be after it. */
export function prepareForwardView(state) {
  const args = [state.forward[state.forward.length - 1], state.params, state.config, state.cell];
  drawAhead(forwardKey(...args), (panel) => renderForward(panel, ...args));
}

/** A term whose factors are on their way (or gone with an earlier epoch): what the summary says. */
function renderTermPending(panel, term, detail, record, view, current) {
  const why = detail?.error ?? (current
    ? "Fetching this term's factors…"
    : `The server keeps the factors of the current epoch only; this term is from epoch ${view.epoch}.`);
  panel.replaceChildren(
    createHTML("h2", { text: `Backward step t = ${record.t}: term ${view.term + 1} of ${record.terms.length}` }),
    createHTML("p", { class: "term-what", text: `∂L/∂${term.param} through ℓ_${term.k}, parameter used at t = ${term.t}` }),
    createHTML("p", {
      class: "note term-pending",
      "data-waiting": !detail && current ? "true" : null,
      text: `${why} Its size (Frobenius norm): ${term.size === null ? "not finite" : formatNumber(term.size, 3)}.`,
    }),
  );
  appendDiverged(panel, record.diverged);
}

/**
 * The terms this backward step completes, after the current one: a row per parameter (it
 * scrolls sideways when long), a button per loss ℓ_k. Click one to show it and light its path.
 * The terms the truncation window drops follow, struck through with their values (the server's).
 */
function renderTermList(view, record, views, show, config) {
  const list = $("term-list");
  const dropped = record.terms.filter((term) => term.dropped).length;
  list.append(createHTML("h3", {
    text: dropped
      ? `All ${record.terms.length} terms at t = ${record.t}: ${record.terms.length - dropped} completed, ` +
        `${dropped} dropped by truncation τ = ${config?.truncation} (struck through, not added)`
      : `All ${record.terms.length} terms completed at t = ${record.t}`,
  }));
  const groups = new Map();
  record.terms.forEach((term, index) => {
    if (!groups.has(term.param)) groups.set(term.param, []);
    groups.get(term.param).push([term, index]);
  });
  for (const [param, terms] of groups) {
    const buttons = terms.map(([term, index]) => {
      const target = views.findIndex((v) => v.kind === "backward" && v.epoch === view.epoch &&
        v.index === view.index && v.term === index);
      const current = index === view.term;
      const label = `∂L/∂${param} through ℓ_${term.k}, t = ${term.t}`;
      const button = (attributes, children) => createHTML("li", term.dropped ? { class: "term-dropped" } : {}, [createHTML("button", {
        type: "button",
        "aria-current": current ? "step" : null,
        "data-term": term.id,
        onclick: () => show(target, { fromList: true }),
        ...attributes,
      }, children)]);
      if (!term.dropped) {
        return button({ class: current ? "term-button current" : "term-button", "aria-label": label, text: `ℓ_${term.k}` });
      }
      const value = [term.value ?? null].flat(Infinity).length <= 4 ? term.value ?? null : null;
      const shown = value === null ? `|·| = ${formatNumber(term.size, 3)}` : `= ${formatValue(value)}`;
      return button({
        class: current ? "term-button dropped current" : "term-button dropped",
        "aria-label": `${label}, dropped by truncation, ${shown}`,
        "data-value": JSON.stringify(value ?? term.size),
      }, [createHTML("s", { text: `ℓ_${term.k} ${shown}` })]);
    });
    list.append(createHTML("div", { class: "term-group", "data-param": param }, [
      createHTML("span", { class: "term-param", text: `∂L/∂${param}` }),
      createHTML("ol", {}, buttons),
    ]));
  }
}
