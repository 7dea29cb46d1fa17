// The formula panel: the step's equation typeset with the server's numbers substituted.
// Values too big to typeset (more than a handful of numbers) are heat maps (expression.js).

import { createHTML } from "./svg.js";
import { appendDiverged, equation, paramLatex, typeset, value, valueElement } from "./expression.js";
import { matrixShape, numbersByName, startOnLargest } from "./worked.js";
import { productLines, shapeTag } from "./product.js";
import { createShelf, factorCardFrom } from "./cards.js";

export { appendDiverged, typeset, valueElement } from "./expression.js";
export { renderForward } from "./forward.js";
export { renderUpdate } from "./update.js";

// Okabe–Ito colours for the factors of a term, in order (readable on white).
export const FACTOR_COLOURS = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];

/** The cards, product lines and running sums of the term drawn last: the next term takes those it shares. */
const shelf = createShelf();

/** Runs of more recurrent factors than this are folded: the first and last two stay as cards. */
const RECURRENT_SHOWN = 4;

/**
 * One chain-rule term: first a summary line with its value and this parameter's running sum,
 * then each factor in its edge's colour with its value beneath, then the product again. A long
 * run of ∂h_j/∂h_{j−1} keeps its first and last two cards; the rest open from a <details>.
 */
export function renderTerm(panel, term, context) {
  const { index, count, t } = context;
  const numbers = numbersByName(term);
  startOnLargest(term.id, term.value, term.factors.length - 1); // the entry in view, at first
  const factorValues = term.factors.map((factor) => factor.value ?? context.jacobianAt(factor.step) ?? null);
  const recurrent = term.factors.flatMap((factor, i) => (factor.kind === "recurrent" ? [i] : []));
  const folded = recurrent.length > RECURRENT_SHOWN ? recurrent.slice(2, -2) : [];
  // The cards in view are drawn now; the folded ones when their group is opened.
  const made = new Map();
  shelf.begin(`${term.epoch}:${term.id}`);
  const cardAt = (i) => {
    if (!made.has(i)) made.set(i, factorCardFrom(shelf, term.factors[i], term, context, { index: i, value: factorValues[i], numbers }));
    return made.get(i);
  };
  const cards = term.factors.map((_, i) => (folded.includes(i) ? null : cardAt(i)));
  // The state the recurrent factors run through: h (Elman, GRU) or s = (h, c) (LSTM).
  const state = term.factors[recurrent[0]]?.symbol.match(/^∂(\w+)_/)?.[1] ?? "h";
  // The row stays in the document with the cards it keeps: one taken out and put back would
  // be styled and laid out again as if new.
  const factorRow = panel.querySelector(":scope > .factors") ?? createHTML("div", { class: "factors" });
  factorRow.dataset.term = term.id;
  const row = [];
  const times = () => createHTML("span", { class: "times", text: "×", "aria-hidden": "true" });
  cards.forEach((card, position) => {
    if (folded.includes(position) && position !== folded[0]) return;
    if (position > 0) row.push(times());
    if (position !== folded[0]) return row.push(card);
    const inner = createHTML("div", { class: "factors folded" });
    const group = createHTML("details", { class: "factor-group" }, [
      createHTML("summary", { text: `… ${folded.length} more ∂${state}_j/∂${state}_{j−1} …` }),
      inner,
    ]);
    group.addEventListener("toggle", () => {
      if (group.open && !inner.firstChild) folded.forEach((i, n) => inner.append(...(n ? [times(), cardAt(i)] : [cardAt(i)])));
    });
    row.push(group);
  });
  row.push(createHTML("div", { class: "product" }, [
    typeset("=", { className: "math" }),
    createHTML("div", { class: "product-result" }, [
      valueElement(term.value, { name: "the term", className: "product-value" }),
      shapeTag(matrixShape(term.value), "the term"),
    ]),
  ]));
  placeChildren(factorRow, row);
  const product = productLines(term, factorValues, { typeset, valueElement, paramLatex, folded, keep: shelf.keep });
  product.onpick = (i, j) => cardAt(term.factors.length - 1).worked?.pick?.(i, j);
  const heading = `Backward step t = ${t}: term ${index + 1} of ${count}`;
  const what = `∂L/∂${term.param} through ℓ_${term.k}, parameter used at t = ${term.t}` +
    (term.distance ? ` (${term.distance} step${term.distance > 1 ? "s" : ""} back)` : "") +
    (term.dropped ? ": dropped by truncation (k − t ≥ τ), greyed on the graph, not added to the sum" : "");
  const summary = createHTML("div", { class: term.dropped ? "term-summary dropped" : "term-summary" }, [
    createHTML("span", { class: "summary-part" }, [
      "term =",
      Object.assign(valueElement(term.value, { name: "the term" }), { id: "term-value" }),
      createHTML("span", { class: "note", text: `(the product of the ${term.factors.length} factors below)` }),
    ]),
    createHTML("span", { class: "summary-part" }, [
      typeset(`\\dfrac{\\partial L}{\\partial ${paramLatex(term.param)}}\\text{ so far} =`),
      valueElement(term.running, { size: "compact", name: `dL/d${term.param} so far`, className: "summary-running" }),
    ]),
  ]);
  placeChildren(panel, [
    createHTML("h2", { text: heading }),
    createHTML("p", { class: "term-what", text: what }),
    summary,
    factorRow,
    product,
    renderRunning(term, context.runningSoFar),
  ]);
}

/**
 * `wanted` as the children of `parent`, in order: the others removed first, so that those it
 * keeps (in the same order) are never taken out of the document.
 */
function placeChildren(parent, wanted) {
  const kept = new Set(wanted);
  for (const child of [...parent.childNodes]) if (!kept.has(child)) child.remove();
  wanted.forEach((child, i) => {
    if (parent.childNodes[i] !== child) parent.insertBefore(child, parent.childNodes[i] ?? null);
  });
}

/** dL/dθ so far for every parameter; the current term's parameter shows old + term = new. */
function renderRunning(term, runningSoFar) {
  const list = createHTML("div", { class: "running" }, [
    createHTML("p", { class: "note", text: "Total derivatives so far (each the sum of its terms up to this one):" }),
  ]);
  for (const [param, running] of runningSoFar) {
    const isCurrent = param === term.param;
    const shown = () => (running === undefined
      ? createHTML("span", { class: "note", text: "no term yet" })
      : valueElement(running, { size: "compact", name: `dL/d${param} so far`, className: "running-value" }));
    const item = () => createHTML("div", {
      class: isCurrent ? "running-item current" : "running-item",
      "data-param": param,
      title: isCurrent ? "this term was just added" : null,
    }, [typeset(`\\frac{\\partial L}{\\partial ${paramLatex(param)}} =`), shown()]);
    list.append(shelf.keep(JSON.stringify(["running", param, isCurrent, running ?? null]), item));
  }
  return list;
}

/** ∂L/∂h_t (and ∂L/∂c_t for the LSTM), and δ_t for the Elman cell. */
function backwardValues(record, states) {
  const t = record.t;
  const parts = [];
  for (const state of states) {
    if (record[`d${state}`] === undefined || record[`d${state}`] === null) continue;
    if (parts.length) parts.push(", \\quad");
    parts.push(`\\frac{\\partial L}{\\partial ${state}_{${t}}} =`, value(record[`d${state}`]));
  }
  if (record.delta !== null && record.delta !== undefined) parts.push(`, \\quad \\delta_{${t}} =`, value(record.delta));
  return parts;
}

/** A backward step that completes no term (e.g. all cut by truncation): the recursion's values. */
export function renderBackwardSummary(panel, record, config, cell) {
  const tau = config.truncation;
  const why = tau === null || tau === undefined
    ? "This step completes no chain-rule term."
    : `This step completes no chain-rule term: truncation τ = ${tau} drops every term that ` +
      `reaches t = ${record.t} from a loss ${tau} or more steps later.`;
  panel.replaceChildren(
    createHTML("h2", { text: `Backward step t = ${record.t}` }),
    createHTML("p", { class: "no-term", text: why }),
    equation(backwardValues(record, cell?.states ?? ["h"])),
  );
  appendDiverged(panel, record.diverged);
}
