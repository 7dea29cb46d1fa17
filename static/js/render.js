// The view renderer: given the page state and the view it shows, draws the graph's values, the
// panel, the status and view sentences, the controls, the loss chart and the sections beside,
// and says the view in the live region. Reads the page state; changes nothing in it.

import { showLossSoFar, showValues } from "./graph.js";
import { fitStack, renderPanel } from "./panel.js";
import { renderLossChart } from "./chart.js";
import { writeAddress } from "./session.js";
import { afterFrame } from "./later.js";
import {
  describeView, isLatestStep, nodeValues, recordOf, statusLine, viewKey, viewPhrase,
} from "./timeline.js";
import { lossNow, lossSoFarAt, renderBanner, renderButtons as drawButtons } from "./controls.js";
import { announce, sentence } from "./announce.js";
import { viewShown } from "./follow.js";
import { addressFor, currentLink } from "./links.js";
import { quizRender } from "./quiz.js";
import { headHeight, panelDrawn, presenting } from "./present.js";
import { currentView, epochOf, page, termOf } from "./pagestate.js";
import { updateDigits } from "./update.js";
import { isSingle } from "./format.js";

const $ = (id) => document.getElementById(id);

const hooks = {
  sections: null, // the insight, training and optimiser sections (each with its update or reset)
  show: null, // show(index, options): another view (a pick from the term list)
  drawn: null, // drawn(): after each drawing (the stepper asks for what the next → shows)
};

/** From main.js: the sections drawn beside the view, and the stepper's show and drawn. */
export function setUpRenderer({ sections, show, drawn }) {
  Object.assign(hooks, { sections, show, drawn });
}

const termDetail = (epoch, term) => page.terms.detail(epoch, term);

export function render() {
  const state = page.state;
  if (!state) return;
  const view = currentView(page);
  const epoch = epochOf(page, view);
  const key = viewKey(view, epoch);
  showAddress(addressFor(currentLink(state, view, epoch, key, page.presets)));
  showValues(page.graph, nodeValues(view, epoch, state), railDigits(view));
  showLossSoFar(page.graph, lossSoFarAt(view, epoch));
  const context = { graph: page.graph, state, presets: page.presets, views: page.views, show: hooks.show, termDetail };
  renderPanel(view, epoch, context);
  panelDrawn(); // the grids as the mode draws them, the entry in view marked
  renderButtons();
  renderSentences(view, epoch);
  renderSurroundings(view);
  viewShown(key);
  // The quiz hides what it asks for; the spoken sentence then says only where the view is.
  const asking = quizRender(view, epoch, state, key, page.graph, termDetailShown(view));
  announce(asking ? describeView(view, epoch) : spokenView(view, epoch));
  hooks.drawn();
}

let addressShown = null; // the address the next frame's end writes (the latest drawn)

/**
 * The address of the view drawn, written once the frame that shows the view is painted:
 * history.replaceState brings the page's style up to date and costs 1-6 ms, which the press
 * need not wait for. Several drawings in one frame write the last one's address.
 */
function showAddress(address) {
  if (addressShown === null) afterFrame(() => {
    writeAddress(addressShown);
    addressShown = null;
  });
  addressShown = address;
}

/**
 * The update's view: each new weight of one number on its rail at the digits the update's
 * rows write it with (θ_new = θ_old − η × g = 0.80037 in both), node id -> digits.
 */
function railDigits(view) {
  if (view?.kind !== "update") return new Map();
  const names = Object.keys(view.record.params_new).filter((name) => isSingle(view.record.params_new[name]));
  return new Map(names.map((name) => [name, updateDigits(view.record, name).digits]));
}

/** The status line (the view shown, if earlier, and the session's place), the view's note, its notice. */
function renderSentences(view, epoch) {
  const latest = isLatestStep(page.views, page.cursor);
  $("status").textContent = statusLine(page.state, view, epoch, latest);
  $("view-heading").textContent = $("formula").querySelector(":scope > h2")?.textContent ?? "";
  $("view-note").textContent = describeView(view, epoch);
  $("next-press").textContent = nextPress();
  $("next-press").hidden = !$("next-press").textContent;
  $("view-lost").textContent = page.notice ?? "";
  $("view-lost").hidden = !page.notice;
}

/**
 * What → shows next when the page holds it (a term or step already computed): said, because
 * the session's sentence names its next command, which comes after these views.
 */
function nextPress() {
  const next = page.views[page.cursor + 1];
  if (!next) return "";
  return `→ next: ${viewPhrase(next, epochOf(page, next), page.state.epoch)} (computed already).`;
}

/** What stands around the view: the read-only note, the banner, the loss, the sections. */
function renderSurroundings(view) {
  const { state, token } = page;
  $("read-only").hidden = Boolean(token);
  renderBanner(state, token);
  $("loss-now").textContent = lossNow(state, view, epochOf(page, view));
  $("value-legend").hidden = !page.graph.svg.querySelector(".heat-cell"); // only colours shown
  renderLossChart($("loss-chart"), state.loss_history, view?.kind === "update" ? view.record : null);
  hooks.sections.insight.update(state, token);
  hooks.sections.training.reset(state.id, token);
  hooks.sections.optimiser.update(state, token);
}

/** The shown term's factors as fetched (null: no term, or not fetched yet). */
function termDetailShown(view) {
  const term = termOf(page, view);
  return term ? page.terms.peek(view.epoch, term) : null;
}

/** One short sentence for screen readers about the view (the term's value once it arrived). */
function spokenView(view, epoch) {
  if (!view) return "";
  const record = recordOf(view, epoch);
  return record ? sentence(view, record, termDetailShown(view)) : "";
}

/**
 * After a press: in one column (narrower than 1000 px) the panel is below the graph, so bring
 * it into view. In two the press's result comes into view with as much above it as fits (the
 * controls when they fit with it): a forward step's h_t; a term's value line ("term =", "so far
 * =") down to its entry lines (the product and "so far = before + term"), and when those do not
 * fit together, the value line. A term picked from the list further down brings its value line
 * back into view. In presentation mode the head (status line, heading) stays at the window's
 * top and the lines come in under it: a term's value line and entry lines (which CSS puts
 * together, the factor cards after), a forward step's h_t down to ℓ_t, the update's rule down
 * to L before and after (the table put before the rows); if they do not fit, the entry lines,
 * ℓ_t, L.
 */
export function revealPanel() {
  fitStack();
  const panel = $("formula");
  if (window.matchMedia("(max-width: 999.98px)").matches) {
    const top = panel.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) panel.scrollIntoView({ block: "start", behavior: "instant" });
    return;
  }
  const summary = panel.querySelector(".term-summary");
  const head = headHeight();
  if (page.fromList) {
    const top = summary?.getBoundingClientRect().top;
    if (top < head) window.scrollTo({ top: window.scrollY + top - head, behavior: "instant" });
    return;
  }
  const entry = panel.querySelector(".term-entry");
  if (summary && entry) {
    // In presentation mode from the line that says what the term is ("∂L/∂θ through ℓ_k").
    const first = presenting() ? panel.querySelector(".term-what") ?? summary : summary;
    return revealLines(first, entry, presenting() ? entry : summary, head);
  }
  const steps = panel.querySelectorAll(".step-line");
  if (steps.length) {
    // A forward step's result h_t; in presentation mode its whole line (h_t = ... with the
    // symbols, none under the head) down to z_t's entry written out (CSS puts it after ℓ_t).
    const result = steps[steps.length - 1].querySelector(".result");
    const loss = presenting() ? panel.querySelector(".loss-line") : null;
    const last = (loss && panel.querySelector(".output-entry-box")) ?? loss; // z_t's entry, last
    return revealLines(loss ? steps[steps.length - 1] : result, last ?? result, loss ?? result, head);
  }
  // The update: its heading (in presentation mode its rule down to L before and after).
  const lossRow = presenting() ? panel.querySelector(".compare-loss") : null;
  const first = lossRow ? panel.querySelector(".update-rule") ?? lossRow : panel.firstElementChild;
  if (first) revealLines(first, lossRow ?? first, lossRow ?? first, head);
}

const EDGE = 8; // px kept free between a revealed line and the window's edge

/**
 * Scroll the window so that the lines from `first` to `last` end at its bottom edge, with as
 * much as fits above them (the page's top if all fits). If they do not fit together, `fallback`
 * instead: at the bottom edge, moved the least into view; a line taller than the window from
 * its top. `head`: the px at the window's top that the presentation head covers (then the
 * lines start right under it). One layout read per press.
 */
function revealLines(first, last, fallback, head = 0) {
  const y = window.scrollY;
  const room = window.innerHeight - head - 2 * EDGE;
  const top = first.getBoundingClientRect().top;
  const bottom = last.getBoundingClientRect().bottom;
  const workspaceEnd = first.closest(".workspace")?.getBoundingClientRect().bottom ?? Infinity;
  const fits = bottom - top <= room;
  const box = fits ? { top, bottom } : fallback.getBoundingClientRect();
  const lowest = box.bottom + y + EDGE - window.innerHeight; // the least scroll showing its bottom
  const highest = box.top + y - EDGE - head; // the most scroll still showing its top
  // In presentation mode lines that fit come up under the head (the graph then sticks whole
  // under it, the toolbar scrolled away); else the least scroll that shows them.
  let target = Math.max(0, lowest > highest || (head && fits) ? highest : lowest);
  // Never past the workspace's end at the window's bottom: the sticky graph stops there.
  if (head) target = Math.min(target, Math.max(0, workspaceEnd + y - window.innerHeight));
  if (Math.abs(target - y) >= 1) window.scrollTo({ top: target, behavior: "instant" });
}

export function renderButtons() {
  drawButtons({ state: page.state, token: page.token, busy: page.busy });
}

export function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

