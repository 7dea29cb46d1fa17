// The forward panel: each line of the cell's step written with its symbols, then with the
// step's numbers (to the digits that make the line's results as shown: stepdigits.js), then
// its result; the output and the loss at a loss step; the gate values side by side.

import { createHTML } from "./svg.js";
import { flatten, formatNumber } from "./format.js";
import { appendDiverged, applied, equation, isSmall, typeset, value, valueElement } from "./expression.js";
import { entryPicker, lossWorked } from "./worked.js";
import { lineDigits } from "./stepdigits.js";

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

/** The names a line's templates read ([[name]], not [[*]]) and its result, with their values. */
function lineValues(line, valueOf) {
  const names = [...`${line.rhs} ${line.via ?? ""}`.matchAll(/\[\[(\w+)\]\]/g)].map((found) => found[1]);
  return Object.fromEntries([...names, line.result].map((name) => [name, valueOf(name)]));
}

/**
 * A line's three forms as equation parts: its symbols (a string), "= numbers [= via numbers]"
 * and "= result", the numbers at the digits that make the results as shown (lineDigits), the
 * result at `resultDigits` (the count a later line of the view writes it with). Also the
 * digits of each name (`digits`), for the lines before it.
 */
function lineForms(line, t, symbols, valueOf, resultDigits = 4, least = {}) {
  const values = lineValues(line, valueOf);
  const digits = lineDigits(line, values, resultDigits, least);
  const symbol = (name) => (name === "*" ? "\\," : atStep(symbols[name] ?? name, t));
  const number = (name) => (name === "*" ? "\\cdot" : value(values[name], digits[name]));
  const symbolic = line.symbolic ?? atStep(line.rhs, t).replace(/\[\[(\w+|\*)\]\]/g, (_, name) => symbol(name));
  return {
    symbolic: `${atStep(line.lhs, t)} = ${symbolic}`,
    numbers: ["=", ...templateParts(line.rhs, number)],
    result: [...(line.via ? ["=", ...templateParts(line.via, number)] : []), "=", value(values[line.result], resultDigits)],
    digits,
  };
}

/** What a line asks of the lines before it: each name it reads at the most digits asked yet. */
function ask(demand, digits) {
  for (const [name, count] of Object.entries(digits)) demand[name] = Math.max(demand[name] ?? 0, count);
}

/**
 * Forward step t, as the server's cell declares it (cell.step): each line written with its
 * symbols, then with the step's numbers, then (via an intermediate form) its result; then the
 * output if t is a loss step. One count per quantity in the view: the lines are solved from
 * the last back (ℓ_t's ŷ_t, then ŷ_t's z_t and h_t, then the cell's lines), each result
 * written with the digits the line after it reads it with, so that it follows from its
 * operands as written and reads the same in both lines.
 */
export function renderForward(panel, record, params, config, cell) {
  const t = record.t;
  const valueOf = (name) => stepValue(name, record, params);
  const demand = {}; // name -> the digits a later line writes it with
  const atLoss = record.loss !== null && record.loss !== undefined;
  const worked = atLoss ? lossWorked(config.output, record.yhat, record.y, t) : null;
  const output = atLoss ? outputLines(record, params, config, t, { worked, demand }) : [];
  const forms = [...cell.step].reverse().map((line) => {
    const found = lineForms(line, t, cell.symbols, valueOf, demand[line.result] ?? 4);
    ask(demand, found.digits);
    return found;
  }).reverse();
  const lines = cell.step.map((line, n) => {
    const row = createHTML("div", { class: "step-line", "data-result": line.result });
    row.append(equation([forms[n].symbolic]), equation(forms[n].numbers), equation(forms[n].result, { className: "math result" }));
    return row;
  });
  panel.replaceChildren(createHTML("h2", { text: `Forward step t = ${t}` }), ...lines);
  const gates = renderGates(record, cell, t);
  if (gates) panel.append(gates);
  if (atLoss) panel.append(...output, lossLine(worked, record, t));
  panel.append(createHTML("p", { class: "note", text: `Loss so far: ${formatNumber(record.loss_so_far)}` }));
  appendDiverged(panel, record.diverged);
}

/** A line's forms as one equation: ŷ_3 = σ(W_y h_3) = σ(1.2 · 0.35574) = σ(0.4269) = 0.6051. */
function oneEquation(forms, className) {
  const line = equation([forms.symbolic, ...forms.numbers, ...forms.result]);
  line.classList.add(className);
  return line;
}

/** The output's entry in view, once picked (0-based); until then the loss line's entry. */
let pickedOutput = null;

/** The output's entry picked (0-based), or null: the forward view drawn with it. */
export const outputPicked = () => pickedOutput;

/** The entry of the output the loss line reads: a softmax's target class, else the first. */
function lossEntry(config, record) {
  const index = config.output === "softmax_ce" ? flatten(record.y).findIndex((y) => y === 1) : 0;
  return Math.max(index, 0);
}

/**
 * The output at a loss step, ŷ_t = g(W_y h_t + b_y) = g(numbers) = g(z_t) = ŷ_t (for the
 * identity z_t is ŷ_t: one "=" step). When W_y h_t is too big to write out, its entry in
 * view is, [z_t]_k = Σ_j [W_y]_{k,j} [h_t]_j + [b_y]_k with its numbers (an entry picker
 * beside it, as a term's), then ŷ_t = g(z_t). ŷ_t at the digits the loss line reads it with
 * (worked.digits); what these lines read of h_t asked of the cell's lines (demand.h).
 */
function outputLines(record, params, config, t, { worked, demand }) {
  const g = OUTPUT_LATEX[config.output];
  const named = { W_y: params.W_y, b_y: params.b_y, h: record.h, z: record.z, yhat: record.yhat };
  const symbols = { W_y: "W_y", b_y: "b_y", h: "h_{t}", z: "z_{t}" };
  const yDigits = worked?.digits ?? 4;
  if (isSmall(params.W_y) && isSmall(record.h) && !(config.output_bias && !isSmall(params.b_y))) {
    const inner = `[[W_y]] [[*]] [[h]]${config.output_bias ? " + [[b_y]]" : ""}`;
    const line = g ? { lhs: "\\hat y_{t}", rhs: `${g}(${inner})`, via: `${g}([[z]])`, result: "yhat" }
      : { lhs: "\\hat y_{t}", rhs: inner, result: "yhat" };
    const forms = lineForms(line, t, symbols, (name) => named[name], yDigits);
    ask(demand, { h: forms.digits.h ?? 4 });
    return [oneEquation(forms, "output-line")];
  }
  const squashed = g ? lineForms({ lhs: "\\hat y_{t}", rhs: `${g}([[z]])`, result: "yhat" }, t, symbols, (name) => named[name], yDigits) : null;
  // z_t's entry at 4 digits after a squashing g (softmax reads z_t at 5 to give ŷ_t at 4: its
  // entry line at 5 would need h_t at 6 and its argument at 7, too long for a room's window)
  const zDigits = squashed ? 4 : yDigits;
  const count = params.W_y.length;
  // h_t at one count in the entry's line and in h_t's own: the most the first entry's line
  // needs (another entry picked: at least that many, more if its line needs them)
  const hDigits = (digits) => Math.max(4, ...Object.entries(digits).filter(([name]) => /^h\d+$/.test(name)).map(([, n]) => n));
  const first = pickedOutput !== null && pickedOutput < params.W_y.length ? pickedOutput : lossEntry(config, record);
  const most = hDigits(entryForms(record, params, config, t, first, zDigits).digits);
  const least = Object.fromEntries(flatten(record.h).map((_, j) => [`h${j}`, most]));
  ask(demand, { h: most });
  const box = createHTML("div", { class: "output-entry-box" });
  const draw = (k) => {
    const forms = entryForms(record, params, config, t, k, zDigits, least);
    ask(demand, { h: hDigits(forms.digits) });
    box.replaceChildren(
      entryPicker([count, 1], [k, 0], (i) => {
        pickedOutput = i;
        draw(i);
      }, `${g ? "z" : "ŷ"}_${t}, the entry in view`),
      oneEquation(forms, "output-entry"),
    );
  };
  draw(first);
  return squashed ? [box, oneEquation(squashed, "output-line")] : [box];
}

/** Entry k of W_y h_t + b_y as a sum of products: [z_t]_k = Σ_j [W_y]_{k,j} [h_t]_j + [b_y]_k. */
function entryForms(record, params, config, t, k, resultDigits = 4, least = {}) {
  const row = flatten(params.W_y[k]);
  const hs = flatten(record.h);
  const bias = config.output_bias;
  const entry = Object.fromEntries(row.flatMap((w, j) => [[`w${j}`, w], [`h${j}`, hs[j]]]));
  entry.b = bias ? flatten(params.b_y)[k] : null;
  entry.entry = flatten(OUTPUT_LATEX[config.output] ? record.z : record.yhat)[k];
  const line = {
    lhs: `[${OUTPUT_LATEX[config.output] ? "z" : "\\hat y"}_{t}]_{${k + 1}}`,
    rhs: row.map((_, j) => `[[w${j}]] [[*]] [[h${j}]]`).join(" + ") + (bias ? " + [[b]]" : ""),
    result: "entry",
    symbolic: `\\textstyle\\sum_j [W_y]_{${k + 1},j}\\,[h_{${t}}]_j${bias ? ` + [b_y]_{${k + 1}}` : ""}`,
  };
  return lineForms(line, t, {}, (name) => entry[name], resultDigits, least);
}

/** ℓ_t with its numbers, e.g. ℓ_3 = −log ŷ_3 = −log 0.6051 = 0.5023, with y_t beside it. */
function lossLine(worked, record, t) {
  const steps = worked ? `${worked.symbols} = ${worked.numbers} =` : `\\ell(\\hat y_{${t}}, y_{${t}}) =`;
  const line = equation([`\\ell_{${t}} = ${steps}`, value(record.loss), `\\quad \\text{with } y_{${t}} =`, targetPart(record.y)]);
  line.classList.add("loss-line");
  return line;
}

/** y_t as an equation part: a one-hot target as a row, transposed (one line high), else its value. */
function targetPart(y) {
  const oneHot = Array.isArray(y) && y.length > 1 && y.every((n) => n === 0 || n === 1);
  return oneHot ? `\\begin{bmatrix} ${y.join(" & ")} \\end{bmatrix}^{\\top}` : value(y);
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

