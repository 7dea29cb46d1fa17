// The formula panel: the step's equation typeset with the server's numbers substituted.
// Values too big to typeset (more than a handful of numbers) are heat maps (expression.js).

import { createHTML } from "./svg.js";
import { formatNumber } from "./format.js";
import { appendDiverged, applied, equation, paramLatex, typeset, value, valueElement } from "./expression.js";
import { lossWorked, matrixShape, numbersByName } from "./worked.js";
import { placeChildren, productLines, shapeTag } from "./product.js";
import { createShelf, factorCardFrom } from "./cards.js";

export { appendDiverged, typeset, valueElement } from "./expression.js";
export { renderUpdate } from "./update.js";

// Okabe–Ito colours for the factors of a term, in order (readable on white).
export const FACTOR_COLOURS = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
const OUTPUT_LATEX = { sigmoid_bce: "\\sigma", softmax_ce: "\\operatorname{softmax}", identity_mse: "" };

/** "{t}" and "{t-1}" of a template, for step t. */
function atStep(latex, t) {
  return latex.replaceAll("{t}", `{${t}}`).replaceAll("{t-1}", `{${t - 1}}`);
}

/**
 * A template's [[name]]s as equation parts: lookup(name) gives the name's LaTeX (a string) or
 * its value; neighbouring strings are joined (so "+ (" before a value is seen as an operator).
 */
function templateParts(template, lookup) {
  const parts = [];
  for (const piece of template.split(/(\[\[(?:\w+|\*)\]\])/)) {
    const name = piece.match(/^\[\[(\w+|\*)\]\]$/)?.[1];
    const part = name === undefined ? piece : lookup(name);
    if (typeof part === "string" && typeof parts.at(-1) === "string") parts[parts.length - 1] += part;
    else parts.push(part);
  }
  return groupApplications(parts.map((part) => (typeof part === "string" ? part.trim() : part)));
}

/** "\sigma(", "\tanh(", "\operatorname{relu}(" or a bare "(", up to its ")". */
const BRACKET = /(\\sigma\(|\\tanh\(|\\operatorname\{\w+\}\(|\(|\))/;

/**
 * The parentheses of a template as applied(f, ...parts) (a bare "(" as f = "{}"), so they
 * grow to fit what they hold, and a big value inside is drawn with brackets (expression.js).
 */
function groupApplications(parts) {
  const root = [];
  const stack = [root];
  const add = (item) => {
    const items = stack.at(-1);
    if (typeof item === "string" && typeof items.at(-1) === "string") items[items.length - 1] += ` ${item}`;
    else items.push(item);
  };
  for (const part of parts) {
    if (typeof part !== "string") {
      add(part);
      continue;
    }
    for (const token of part.split(BRACKET).map((piece) => piece.trim()).filter(Boolean)) {
      if (token === ")" && stack.length > 1) {
        stack.pop();
      } else if (token.endsWith("(")) {
        const group = applied(token === "(" ? "{}" : token.slice(0, -1));
        add(group);
        stack.push(group.parts);
      } else {
        add(token);
      }
    }
  }
  return root;
}

/** The value a template's [[name]] stands for at this step: a named value, a weight, x_t, a state. */
function stepValue(name, record, params) {
  if (record.values && name in record.values) return record.values[name];
  if (name in params) return params[name];
  return record[name];
}

/**
 * Forward step t, as the server's cell declares it (cell.step): each line written with its
 * symbols, then with the step's numbers, then (via an intermediate form) its result; then the
 * output if t is a loss step.
 */
export function renderForward(panel, record, params, config, cell) {
  const t = record.t;
  const symbol = (name) => (name === "*" ? "\\," : atStep(cell.symbols[name] ?? name, t));
  const number = (name) => (name === "*" ? "\\cdot" : value(stepValue(name, record, params)));
  const lines = cell.step.flatMap((line) => {
    const lhs = atStep(line.lhs, t);
    const symbolic = [`${lhs} =`, atStep(line.rhs, t).replace(/\[\[(\w+|\*)\]\]/g, (_, name) => symbol(name))];
    const numbers = ["=", ...templateParts(line.rhs, number)];
    const via = line.via ? ["=", ...templateParts(line.via, number)] : [];
    const result = [...via, "=", value(stepValue(line.result, record, params))];
    const row = createHTML("div", { class: "step-line", "data-result": line.result });
    row.append(equation([symbolic.join(" ")]), equation(numbers), equation(result, { className: "math result" }));
    return [row];
  });
  panel.replaceChildren(createHTML("h2", { text: `Forward step t = ${t}` }), ...lines);
  const gates = renderGates(record, cell, t);
  if (gates) panel.append(gates);
  if (record.loss !== null && record.loss !== undefined) {
    const g = OUTPUT_LATEX[config.output];
    const bias = config.output_bias ? " + b_y" : "";
    // For the identity output z_t is ŷ_t: one "=" step, not "= 0.05487 = 0.05487".
    const output = g
      ? [`\\hat y_{${t}} =`, applied(g, `W_y\\,h_{${t}}${bias}`), "=", applied(g, value(record.z)), "=", value(record.yhat)]
      : [`\\hat y_{${t}} = W_y\\,h_{${t}}${bias} =`, value(record.yhat)];
    panel.append(
      equation(output),
      lossLine(config.output, record, t),
    );
  }
  panel.append(createHTML("p", { class: "note", text: `Loss so far: ${formatNumber(record.loss_so_far)}` }));
  appendDiverged(panel, record.diverged);
}

/** ℓ_t with its numbers, e.g. ℓ_3 = −log ŷ_3 = −log 0.6051 = 0.5023, with y_t beside it. */
function lossLine(output, record, t) {
  const worked = lossWorked(output, record.yhat, record.y, t);
  const steps = worked ? `${worked.symbols} = ${worked.numbers} =` : `\\ell(\\hat y_{${t}}, y_{${t}}) =`;
  const line = equation([`\\ell_{${t}} = ${steps}`, value(record.loss), `\\quad \\text{with } y_{${t}} =`, value(record.y)]);
  line.classList.add("loss-line");
  return line;
}

/**
 * The named values of the step (the gates, for GRU and LSTM) side by side, each labelled with
 * its symbol: what the graph's state nodes do not show.
 */
function renderGates(record, cell, t) {
  const names = Object.keys(record.values ?? {}).filter((name) => cell.step.some((line) => line.result === name));
  if (!names.length) return null;
  return createHTML("div", { class: "gates", "aria-label": `The gate values of step ${t}` }, names.map((name) =>
    createHTML("span", { class: "gate", "data-gate": name }, [
      typeset(`${atStep(cell.symbols[name] ?? name, t)} =`, { className: "math gate-symbol" }),
      valueElement(record.values[name], { size: "compact", name: `${name}_${t}`, className: "gate-value" }),
    ])));
}

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
  // The product box and the running list stay in the document: their lines are updated in place.
  const inPanel = (selector) => panel.querySelector(`:scope > ${selector}`);
  const product = productLines(term, factorValues, {
    typeset, valueElement, paramLatex, folded, keep: shelf.keep, box: inPanel(".term-product"),
  });
  product.onpick = (i, j) => cardAt(term.factors.length - 1).worked?.pick?.(i, j);
  const heading = `Backward step t = ${t}: term ${index + 1} of ${count}`;
  const what = `∂L/∂${term.param} through ℓ_${term.k}, parameter used at t = ${term.t}` +
    (term.distance ? ` (${term.distance} step${term.distance > 1 ? "s" : ""} back)` : "") +
    (term.dropped ? ": dropped by truncation (k − t ≥ τ), greyed on the graph, not added to the sum" : "");
  placeChildren(panel, [
    textIn(inPanel("h2") ?? createHTML("h2"), heading),
    textIn(inPanel(".term-what") ?? createHTML("p", { class: "term-what" }), what),
    termSummary(inPanel(".term-summary"), term),
    factorRow,
    product,
    renderRunning(inPanel(".running"), term, context.runningSoFar),
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
 * summary the last term drew (kept in the document) when there is one.
 */
function termSummary(summary, term) {
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
    kept(["term-value", term.value], () => Object.assign(valueElement(term.value, { name: "the term" }), { id: "term-value" })),
    kept(["term-count", count], () => createHTML("span", { class: "note", text: `(the product of the ${count} factors below)` })),
  ]);
  const name = `dL/d${term.param} so far`;
  placeChildren(runningPart, [
    kept(["so-far", term.param], () => typeset(`\\frac{\\partial L}{\\partial ${paramLatex(term.param)}}\\text{ so far} =`)),
    kept(["summary-running", term.param, term.running], () => valueElement(term.running, { size: "compact", name, className: "summary-running" })),
  ]);
  return box;
}

/**
 * dL/dθ so far for every parameter; the current term's parameter shows old + term = new. The
 * list the last term drew (`list`, kept in the document) is updated in place: an item is
 * another only where its parameter's sum changed.
 */
function renderRunning(list, term, runningSoFar) {
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
    const shown = () => (running === undefined
      ? createHTML("span", { class: "note", text: "no term yet" })
      : valueElement(running, { size: "compact", name: `dL/d${param} so far`, className: "running-value" }));
    placeChildren(item, [
      kept(["running-label", param], () => typeset(`\\frac{\\partial L}{\\partial ${paramLatex(param)}} =`)),
      kept(["running", param, running ?? null], shown),
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
