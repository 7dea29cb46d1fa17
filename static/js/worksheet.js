// The printable worksheet: the whole derivation of the link's epoch laid out as the explorer
// shows it, typeset (KaTeX): each forward step's lines with their symbols, then with the
// numbers put in, then the result; each backward step's chain-rule terms with their factors
// (symbol = formula = value) and their product; the update, parameter by parameter. From the
// address (address.js); ?blanks=1 leaves every computed value as a box to fill in (the
// weights, the inputs, the targets and h_0 stay given).

import { api } from "./api.js";
import { readLink } from "./address.js";
import { linkScenario } from "./links.js";
import { derivation } from "./export.js";
import { paramLatex, typeset } from "./expression.js";
import { flatten, formatNumber, latexValue, shapeOf } from "./format.js";
import { createHTML } from "./svg.js";
import {
  entryName, entryOf, entryTemplate, isGiven, lossWorked, matrixShape, numbersByName, workedEntry,
} from "./worked.js";

const blanks = new URL(window.location.href).searchParams.get("blanks") === "1";
const main = document.getElementById("worksheet");
const PLACEHOLDER = /\[\[(\w+|\*)\]\]/g;
const BLANK = "\\boxed{\\phantom{-0.0000}}";
const MAX_SHOWN = 9; // numbers of one value written out (a 3 × 3 matrix); more: its shape
const TERMS_WORKED = 40; // terms written out with their factors; the others: their product
const OUTPUT_LATEX = { sigmoid_bce: "\\sigma", softmax_ce: "\\operatorname{softmax}", identity_mse: "" };

/**
 * A value in LaTeX (`paren`: a negative number in parentheses, after an operator); an answer
 * (a computed value) is a box of its shape in the blanks variant.
 */
function number(value, answer = true, paren = false) {
  if (!(answer && blanks)) return latexValue(value, { maxEntries: MAX_SHOWN, paren });
  if (flatten(value).length === 1) return BLANK;
  if (flatten(value).length > MAX_SHOWN) return `\\boxed{${shapeOf(value).join(" \\times ")}}`;
  const rows = Array.isArray(value[0]) ? value : value.map((entry) => [entry]);
  return `\\begin{bmatrix} ${rows.map((row) => row.map(() => BLANK).join(" & ")).join(" \\\\ ")} \\end{bmatrix}`;
}

/** One line of working, typeset; data-blanks counts its boxes to fill in. */
function line(latex, className = "line") {
  const element = createHTML("div", { class: className }, [typeset(latex)]);
  const boxes = blanks ? latex.split("\\boxed{").length - 1 : 0;
  if (boxes) element.dataset.blanks = String(boxes);
  return element;
}

function heading(data) {
  const { config } = data.scenario;
  const about = `${config.cell} cell, d = ${config.input_size}, H = ${config.hidden_size}, ` +
    `K = ${config.output_size}, ${config.output.replace("_", " + ")}, η = ${config.learning_rate}, ` +
    `optimiser ${config.optimizer.name}, T = ${data.forward.length}`;
  const given = Object.entries(data.scenario.params)
    .map(([name, value]) => line(`${paramLatex(name.replace(/^([hc])0$/, "$1_0"))} = ${number(value, false)}`));
  return [
    createHTML("h1", { text: `BPTT worksheet: epoch ${data.epoch}${blanks ? " (fill in the boxes)" : ""}` }),
    createHTML("p", { class: "about", text: about }),
    createHTML("h2", { text: "Weights at the start of the epoch" }),
    createHTML("div", { class: "given" }, given),
  ];
}

// ---- the forward pass: the cell's own lines (cell.step), as the explorer's panel writes them

function forwardLines(record, params, cell) {
  const t = record.t;
  const at = (latex) => latex.replaceAll("{t}", `{${t}}`).replaceAll("{t-1}", `{${t - 1}}`);
  const given = (name) => name in params || name === "x" || (t === 1 && name.endsWith("_prev"));
  const valueOf = (name) => record.values?.[name] ?? params[name] ?? record[name];
  const symbols = (template) => at(template).replace(PLACEHOLDER, (_, name) => (name === "*" ? "\\," : at(cell.symbols[name] ?? name)));
  const numbers = (template) => template.replaceAll("(", "\\left(").replaceAll(")", "\\right)")
    .replace(PLACEHOLDER, (_, name) => (name === "*" ? "\\cdot" : number(valueOf(name), !given(name), true)));
  return cell.step.map((step) => {
    const via = step.via ? ` = ${numbers(step.via)}` : "";
    return line(`${at(step.lhs)} = ${symbols(step.rhs)} = ${numbers(step.rhs)}${via} = ${number(valueOf(step.result))}`);
  });
}

function outputLines(record, config) {
  const t = record.t;
  const g = OUTPUT_LATEX[config.output];
  const bias = config.output_bias ? " + b_y" : "";
  const wrap = (inner) => (g ? `${g}\\left(${inner}\\right)` : inner);
  const lines = [line(`\\hat y_{${t}} = ${wrap(`W_y\\,h_{${t}}${bias}`)} = ${g ? `${wrap(number(record.z))} = ` : ""}${number(record.yhat)}`)];
  const worked = lossWorked(config.output, record.yhat, record.y, t);
  const steps = worked ? `${worked.symbols} = ${blanks ? "" : `${worked.numbers} = `}` : "";
  lines.push(line(`\\ell_{${t}} = ${steps}${number(record.loss)} \\quad\\text{with } y_{${t}} = ${number(record.y, false)}`));
  return lines;
}

function forwardSection(data) {
  const { params, config } = data.scenario;
  const steps = data.forward.map((record) => createHTML("section", { class: "step", "data-t": record.t }, [
    createHTML("h3", { text: `Forward step t = ${record.t}` }),
    line(`x_{${record.t}} = ${number(record.x, false)}`),
    ...forwardLines(record, params, data.cell),
    ...(record.yhat === null ? [] : outputLines(record, config)),
  ]));
  return [createHTML("h2", { text: "Forward pass" }), ...steps, line(`L = \\textstyle\\sum_k \\ell_k = ${number(data.loss)}`)];
}

// ---- the backward pass: each term, its factors and their product ------------------------

/** A worked factor's entry (1, 1) with the numbers put in, as the explorer's card writes it
 * (to the digits that make its value as shown). */
function workedNumbers(factor, numbers) {
  if (factor.value === null) return null;
  // factor.entry comes by block (an LSTM's h and c parts): entry (1, 1) lies in the first
  const first = entryTemplate(factor.entry, matrixShape(factor.value, factor.shape), 0, 0);
  if (!first || isGiven(first.template)) return null;
  return workedEntry(first.template, numbers, first.i, first.j, entryOf(factor.value, 0, 0));
}

function factorLines(factor, index, numbers) {
  const F = `F_{${index + 1}}`;
  // dz_k/dh_k is W_y itself: given, as the weights are.
  const value = factor.value === null ? `\\text{(its Jacobian: }${factor.shape.join(" \\times ")}\\text{)}` : number(factor.value, factor.kind !== "output");
  const worked = workedNumbers(factor, numbers);
  const filled = worked?.numbers && !blanks ? ` = ${worked.numbers}` : ""; // numbers of the forward pass
  if (!worked?.numbers || flatten(factor.value).length === 1) {
    return [line(`${F} = ${factor.latex} = ${factor.formula}${filled} = ${value}`, "line factor")];
  }
  // An LSTM's factor by block: entry (1, 1) is that of its first block, named as the explorer names it
  const blocked = (factor.blocks ?? []).flat().length > 1;
  const name = blocked ? ` = ${entryName(factor, matrixShape(factor.value, factor.shape), 0, 0)}` : "";
  return [
    line(`${F} = ${factor.latex} = ${factor.formula} = ${value}`, "line factor"),
    line(`[${F}]_{1,1}${name} = ${worked.symbols}${filled} = ${number(entryOf(factor.value, 0, 0))}`, "line factor entry"),
  ];
}

function termBlock(term, worked) {
  const factors = worked ? term.factors ?? [] : [];
  const product = factors.length ? `${factors.map((_, i) => `F_{${i + 1}}`).join("\\,")} = ` : "";
  return createHTML("div", { class: "term", "data-term": term.id }, [
    createHTML("h4", { text: `Term ${term.id} (loss step k = ${term.k}, through t = ${term.t})` }),
    ...factors.flatMap((factor, i) => factorLines(factor, i, numbersByName(term))),
    factors.length ? null : createHTML("p", { class: "note", text: "Its factors: open its view in the explorer, or see the derivation's JSON." }),
    line(`\\frac{\\partial \\ell_{${term.k}}}{\\partial ${paramLatex(term.param)}}\\Big|_{t=${term.t}} = ${product}${number(term.value)}`, "line product"),
  ]);
}

function backwardSection(data) {
  let count = 0;
  const steps = data.backward.map((record) => createHTML("section", { class: "step", "data-t": record.t }, [
    createHTML("h3", { text: `Backward step t = ${record.t}` }),
    line(`\\frac{\\partial L}{\\partial h_{${record.t}}} = ${number(record.dh)}`),
    ...record.terms.map((term) => termBlock(term, (count += 1) <= TERMS_WORKED)),
  ]));
  return [createHTML("h2", { text: "Backward pass" }), ...steps];
}

// ---- the update: clipping, then the optimiser's rule for each parameter --------------------

function updateSection(data) {
  const update = data.update;
  const clip = update.clip_norm === null ? "no clipping"
    : `clipping at ${formatNumber(update.clip_norm)}: ${update.clipped ? "the gradient was scaled down" : "not clipped"}`;
  const params = Object.keys(update.params_new).map((name) => {
    const p = paramLatex(name);
    const quantities = update.quantities.map((q) => line(`${q.latex} = ${number(q.values[name])}`));
    return createHTML("section", { class: "step", "data-param": name }, [
      createHTML("h3", { text: name }),
      line(`\\frac{\\partial L}{\\partial ${p}} = \\textstyle\\sum \\text{its terms} = ${number(update.grads[name])}`),
      ...quantities,
      line(`${p}^{\\text{new}} = ${p} + \\Delta\\theta = ${number(update.params_old[name], false)} + \\Delta\\theta = ${number(update.params_new[name])}`),
    ]);
  });
  return [
    createHTML("h2", { text: "Update" }),
    createHTML("p", { text: `${update.optimizer}, η = ${update.learning_rate}, update n = ${update.update_number}; ${clip}; g is the gradient after clipping.` }),
    ...update.formula.map((rule) => line(rule, "line rule")),
    ...params,
    line(`L_{\\text{before}} = ${number(update.loss_before)}, \\quad L_{\\text{after}} = ${number(update.loss_after)}`),
  ];
}

async function start() {
  try {
    const presets = await api.listPresets();
    const link = readLink();
    if (!link.view) link.view = "e1-start";
    const { body, T } = await linkScenario(link, Array.isArray(presets) ? presets : presets.presets ?? []);
    const data = await derivation(body, T);
    main.replaceChildren(...heading(data), ...forwardSection(data), ...backwardSection(data), ...updateSection(data));
  } catch (error) {
    main.replaceChildren(createHTML("p", { class: "error", role: "alert", text: `The worksheet could not be made: ${error.message}` }));
  }
  document.body.dataset.ready = "1";
}

document.getElementById("print-button").addEventListener("click", () => window.print());
start();
