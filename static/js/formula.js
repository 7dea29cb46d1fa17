// The formula panel: the step's equation typeset with the server's numbers substituted.
// Values too big to typeset (more than a handful of numbers) are heat maps (expression.js).

import { createHTML } from "./svg.js";
import { isSingle } from "./format.js";
import { page, sumsAt } from "./pagestate.js";
import { appendDiverged, equation, paramLatex, typeset, value, valueElement } from "./expression.js";
import { cardsDigits, matrixShape, numbersByName, startOnLargest } from "./worked.js";
import { placeChildren, productLines, shapeTag, termDigits } from "./product.js";
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
  // one count per quantity, in every line; a sum of one number as the epoch's views write it
  const sums = isSingle(term.value) ? sumsAt(page, term.epoch, term.id) : null;
  const digits = termDigits(term, factorValues, [0, 0], sums);
  const operandDigits = factorValues.every(isSingle) ? cardsDigits(term.factors, factorValues, numbers, digits.factors) : [];
  // The cards in view are drawn now; the folded ones when their group is opened.
  const made = new Map();
  shelf.begin(`${term.epoch}:${term.id}`, { ahead: Boolean(context.ahead) });
  const cardAt = (i) => {
    if (!made.has(i)) made.set(i, factorCardFrom(shelf, term.factors[i], term, context, { index: i, value: factorValues[i], numbers, digits: digits.factors[i], operandDigits: operandDigits[i] ?? null }));
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
  const times = () => createHTML("span", { class: "times", text: "×" }); // read aloud: "times"
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
      valueElement(term.value, { name: "the term", className: "product-value", digits: digits.term }),
      shapeTag(matrixShape(term.value), "the term"),
    ]),
  ]));
  placeChildren(factorRow, row);
  // The product box and the running list stay in the document: their lines are updated in place.
  const inPanel = (selector) => panel.querySelector(`:scope > ${selector}`);
  const product = productLines(term, factorValues, {
    typeset, valueElement, paramLatex, folded, keep: shelf.keep, digits, box: inPanel(".term-product"),
  });
  product.onpick = (i, j) => {
    cardAt(term.factors.length - 1).worked?.pick?.(i, j);
    if (term.factors.length === 2) cardAt(0).worked?.pick?.(0, i); // r is the first factor: its r_i
  };
  const heading = `Backward step t = ${t}: term ${index + 1} of ${count}`;
  const what = `∂L/∂${term.param} through ℓ_${term.k}, parameter used at t = ${term.t}` +
    (term.distance ? ` (${term.distance} step${term.distance > 1 ? "s" : ""} back)` : "") +
    (term.dropped ? ": dropped by truncation (k − t ≥ τ), greyed on the graph, not added to the sum" : "");
  placeChildren(panel, [
    textIn(inPanel("h2") ?? createHTML("h2"), heading),
    textIn(inPanel(".term-what") ?? createHTML("p", { class: "term-what" }), what),
    termSummary(inPanel(".term-summary"), term, digits),
    factorRow,
    product,
    renderRunning(inPanel(".running"), term, context.runningSoFar, sums?.others ?? new Map()),
  ]);
}

/** The element with this text, written only when it is another. */
function textIn(element, text) {
  if (element.textContent !== text) element.textContent = text;
  return element;
}

/** The element kept under key (the last views'), else built; a value's key holds its numbers. */
const kept = (key, build) => shelf.keep(JSON.stringify(key), build);

/**
 * "term = value (the product of the n factors below)" and this parameter's sum so far, in the
 * summary the last term drew (kept in the document) when there is one; both at the digits
 * the running sum's line writes them with.
 */
function termSummary(summary, term, { term: digits, running: runningDigits }) {
  const box = summary ?? createHTML("div", {}, [
    createHTML("span", { class: "summary-part" }, [document.createTextNode("term =")]),
    createHTML("span", { class: "summary-part" }),
  ]);
  const className = term.dropped ? "term-summary dropped" : "term-summary";
  if (box.className !== className) box.className = className;
  const [termPart, runningPart] = box.children;
  const count = term.factors.length;
  placeChildren(termPart, [
    termPart.firstChild,
    kept(["term-value", term.value, digits], () => Object.assign(valueElement(term.value, { name: "the term", digits }), { id: "term-value" })),
    kept(["term-count", count], () => createHTML("span", { class: "note", text: `(the product of the ${count} factors below)` })),
  ]);
  const name = `dL/d${term.param} so far`;
  placeChildren(runningPart, [
    kept(["so-far", term.param], () => typeset(`\\dfrac{\\partial L}{\\partial ${paramLatex(term.param)}}\\text{ so far} =`)),
    kept(["summary-running", term.param, term.running, runningDigits], () => valueElement(term.running, { size: "compact", name, className: "summary-running", digits: runningDigits })),
  ]);
  return box;
}

/**
 * dL/dθ so far for every parameter; the current term's parameter shows old + term = new. The
 * list the last term drew (`list`, kept in the document) is updated in place: an item is
 * another only where its parameter's sum (or its digits) changed. counts: parameter -> the
 * digits its sum is written with (as its last term's view wrote it; 4 without).
 */
function renderRunning(list, term, runningSoFar, counts) {
  const box = list ?? createHTML("div", { class: "running" });
  const note = box.querySelector(":scope > p.note") ??
    createHTML("p", { class: "note", text: "Total derivatives so far (each the sum of its terms up to this one):" });
  const items = [...runningSoFar].map(([param, running]) => {
    const item = box.querySelector(`:scope > [data-param="${param}"]`) ??
      createHTML("div", { class: "running-item", "data-param": param });
    const isCurrent = param === term.param;
    item.classList.toggle("current", isCurrent);
    if (isCurrent) item.title = "this term was just added";
    else item.removeAttribute("title");
    const digits = counts.get(param) ?? 4;
    const shown = () => (running === undefined
      ? createHTML("span", { class: "note", text: "no term yet" })
      : valueElement(running, { size: "compact", name: `dL/d${param} so far`, className: "running-value", digits }));
    placeChildren(item, [
      kept(["running-label", param], () => typeset(`\\frac{\\partial L}{\\partial ${paramLatex(param)}} =`)),
      kept(["running", param, running ?? null, digits], shown),
    ]);
    return item;
  });
  placeChildren(box, [note, ...items]);
  return box;
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
