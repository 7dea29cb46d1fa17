// Worked backward formulas: a factor's entry template (app/core/entries.py) written with its
// symbols and with the numbers the server sent, for the entry in view; the term's product and
// running sum as the operations that make them. Formatting and picking entries only: every
// number shown here comes from the server.

import { createHTML } from "./svg.js";
import { templateValue } from "./arithmetic.js";
import { digitsThatMake, digitsThatMakeAll, exact, flatten, latexNumber, operandDigits, shapeOf } from "./format.js";
import { cellOf } from "./heatmap.js";

const PLACEHOLDER = /\[\[(\w+|\*)(?::(ij|i|j))?\]\]/g;

/** The shape as the product writes it: a vector (n) is a column n×1, a number 1×1. */
export function matrixShape(value, shape = null) {
  const dims = shape ?? shapeOf(value);
  if (dims.length === 0) return [1, 1];
  if (dims.length === 1) return [dims[0], 1];
  return dims;
}

/** "1×4" for [1, 4]. */
export const shapeLabel = (dims) => dims.join("×");

/** Entry (i, j) of a value: a vector's entry i, a row's (0, j), a number itself. */
export function entryOf(value, i, j) {
  if (!Array.isArray(value)) return value;
  if (!Array.isArray(value[0])) return value[i];
  return value[i]?.[j];
}

/**
 * A number in LaTeX, in parentheses when negative after an operator, and when negative or
 * written with a power of ten before ^ ((3.063 \times 10^{-7})^2, never 10^{-7}^2).
 */
function numberLatex(number, paren, beforePower, digits = 4) {
  const text = latexNumber(number, digits);
  const negative = number !== null && number < 0;
  const wrap = (paren && negative) || (beforePower && (negative || text.includes("\\times")));
  return wrap ? `\\left(${text}\\right)` : text;
}

/** "[h_{3}]_{2}", "[W_h]_{2,3}" (1-based, as the tables count); just "h_{3}" when single. */
function symbolLatex(number, index, i, j) {
  if (!index || flatten(number.value).length === 1) return number.latex;
  const where = index === "ij" ? `${i + 1},${j + 1}` : String((index === "i" ? i : j) + 1);
  return `[${number.latex}]_{${where}}`;
}

/**
 * A template filled for entry (i, j): with symbols (mode "symbols") or numbers ("numbers"),
 * the n-th number put in to digits[n] significant digits (4 without).
 * Returns { latex, used: [[name, index, number], ...] } (used: what was put in, for tests).
 */
export function fillEntry(template, numbers, i, j, mode, digits = []) {
  const used = [];
  const latex = template.replace(PLACEHOLDER, (match, name, index, offset) => {
    if (name === "*") return mode === "numbers" ? "\\cdot" : "\\,";
    const number = numbers.get(name);
    if (!number) return `\\text{${name}}`;
    if (mode === "symbols") return symbolLatex(number, index, i, j);
    const value = index === "ij" ? number.value[i]?.[j]
      : index ? entryOf1(number.value, index === "i" ? i : j) : flatten(number.value)[0];
    used.push([name, index ?? "", value]);
    const beforePower = template[offset + match.length] === "^";
    // first in the line or in a group (a fraction's numerator, a square root): no operator before it
    const atStart = (offset === 0 || template[offset - 1] === "{") && !beforePower;
    return numberLatex(value, !atStart, beforePower, digits[used.length - 1] ?? 4);
  });
  return { latex, used };
}

/** Entry n of a vector (n,) or of a row (1, n) / column (n, 1). */
function entryOf1(value, n) {
  if (!Array.isArray(value)) return value;
  if (!Array.isArray(value[0])) return value[n];
  return value.length === 1 ? value[0][n] : value[n][0];
}

/** An "entry [i, j]" picker for a value of more than one number; onPick(i, j) when changed. */
export function entryPicker(dims, [i, j], onPick, label) {
  const select = (count, chosen, name) => createHTML("select", {
    "aria-label": `${label}: ${name}`,
    class: `entry-${name}`,
    onchange: () => onPick(...pickedOf()),
  }, Array.from({ length: count }, (_, n) => createHTML("option", {
    value: n, text: String(n + 1), selected: n === chosen ? "" : null,
  })));
  const row = dims[0] > 1 ? select(dims[0], i, "row") : null;
  const column = dims[1] > 1 ? select(dims[1], j, "column") : null;
  const pickedOf = () => [row ? Number(row.value) : 0, column ? Number(column.value) : 0];
  return createHTML("span", { class: "entry-picker" }, [
    "entry", row ? " row " : null, row, column ? " column " : null, column,
  ]);
}

/**
 * The worked lines of one entry: "= symbols = numbers = value", as LaTeX pieces; given the
 * entry's value (`result`), the numbers are written to the digits that make it as shown
 * (digitsThatMake) at `resultDigits` (a term's view may show the value with more than 4, as
 * its term line uses it): (1 - 0.9999^2) · 0.8 would not give 0.0001456, (1 - 0.999909^2) · 0.8 does.
 * Returns { symbols, numbers, used, digits } (numbers null when the template has no number).
 */
export function workedEntry(template, numbers, i, j, result = null, resultDigits = 4, given = null) {
  const symbols = fillEntry(template, numbers, i, j, "symbols");
  let filled = fillEntry(template, numbers, i, j, "numbers");
  const values = filled.used.map(([, , value]) => value);
  // A number the template uses twice (ŷ in ŷ(1 − ŷ)) is one operand: written the same both times.
  const keys = filled.used.map(([name, where]) => JSON.stringify([name, where]));
  const distinct = [...new Set(keys)];
  const operands = distinct.map((key) => values[keys.indexOf(key)]);
  const spread = (counts) => keys.map((key) => counts[distinct.indexOf(key)]);
  const combine = (decimals) => templateValue(template, spread(decimals));
  const found = Number.isFinite(result) ? digitsThatMake(operands, result, combine, operands.map(() => 4), resultDigits) : null;
  const digits = given?.length === values.length ? given : found ? spread(found) : values.map(() => 4);
  if (digits.some((count) => count !== 4)) filled = fillEntry(template, numbers, i, j, "numbers", digits);
  return { symbols: symbols.latex, numbers: filled.used.length ? filled.latex : null, used: filled.used, digits };
}

/**
 * The digits of the numbers the cards of a term's view put in, when every factor is one
 * number: one count per number (W_h in two cards reads the same in both), such that each
 * card's worked line gives its value as shown at valueDigits[card] (digitsThatMakeAll).
 * Returns one array per card (its numbers' counts, in its template's order), null for a card
 * with nothing to work out.
 */
export function cardsDigits(factors, values, numbers, valueDigits) {
  const cards = factors.map((factor, n) => {
    const template = entryTemplate(factor.entry, [1, 1], 0, 0)?.template;
    if (!template || isGiven(template) || !Number.isFinite(flatten(values[n] ?? [])[0])) return null;
    const used = fillEntry(template, numbers, 0, 0, "numbers").used;
    return { template, keys: used.map(([name, index]) => `${name}:${index}`), used, n };
  });
  const operands = new Map(); // "name:index" -> value, once each
  for (const card of cards.filter(Boolean)) card.used.forEach(([, , value], m) => operands.set(card.keys[m], value));
  const keys = [...operands.keys()];
  const checks = cards.filter(Boolean).map(({ template, keys: own, n }) => ({
    combine: (decimals) => templateValue(template, own.map((key) => decimals[keys.indexOf(key)])),
    result: flatten(values[n])[0],
    digits: valueDigits[n],
  }));
  if (!keys.length || ![...operands.values()].every(Number.isFinite)) return cards.map(() => null);
  const numbersIn = [...operands.values()];
  const counts = digitsThatMakeAll(numbersIn, checks, keys.map(() => 4));
  const decimals = numbersIn.map((number, n) => exact.shown(number, counts[n]));
  const work = checks.every(({ combine, result, digits }) => {
    const worked = combine(decimals);
    return worked !== null && exact.roundsTo(worked, result, digits);
  });
  // None works for all at once (a value on its rounding edge): each card finds its own.
  if (!work) return cards.map(() => null);
  return cards.map((card) => card && card.keys.map((key) => counts[keys.indexOf(key)]));
}

/** The numbers of a term by name, as its templates name them. */
export function numbersByName(term) {
  return new Map((term.numbers ?? []).map((number) => [number.name, number]));
}

/** -log p as an exact decimal (to the double's digits), for checking a shown -log; null
 * (not checked) for p <= 0. */
function minusLog(decimal) {
  const p = exact.number(decimal);
  return p > 0 ? exact.shown(-Math.log(p)) : null;
}

/**
 * Digits for ŷ in a loss line of one number, so that the loss worked from ŷ as shown gives
 * the loss as shown: -log 0.6051 = 0.5024, but the loss 0.502312 is -log 0.60514. `loss`
 * (of ŷ as it is, the server's rule) and `fromShown` (of ŷ as shown, exactly or, for a
 * logarithm, to the double's digits) pick the digits (digitsThatMake); 4 when they cannot.
 */
function lossDigits(output, p, y) {
  const one = exact.integer(1);
  const forms = {
    sigmoid_bce: y === 1 ? [-Math.log(p), minusLog] : y === 0
      ? [-Math.log(1 - p), (d) => minusLog(exact.add(one, exact.negate(d)))] : null,
    softmax_ce: [-Math.log(p), minusLog],
    identity_mse: Number.isFinite(y) ? [0.5 * (p - y) ** 2, (d) => {
      const difference = exact.add(d, exact.negate(exact.shown(y)));
      return exact.multiply(exact.multiply(difference, difference), [5n, -1]);
    }] : null,
  };
  const form = forms[output];
  if (!form || !Number.isFinite(p) || p <= 0) return 4;
  const [loss, fromShown] = form;
  return digitsThatMake([p], loss, ([d]) => fromShown(d), [4])[0];
}

/**
 * The loss of a step written with its numbers, e.g. -log(0.6051) for sigmoid + BCE with y = 1;
 * a loss of one number with ŷ to the digits that give the loss as shown (lossDigits).
 * Returns LaTeX (symbols then numbers) with the entry of ŷ it reads and ŷ's digits there
 * ({symbols, numbers, entry, digits}), or null when there are too many numbers to write out.
 */
export function lossWorked(output, yhat, y, t) {
  const yhats = flatten(yhat);
  const ys = flatten(y);
  if (yhats.length > 4 && output !== "softmax_ce") return null;
  const c = output === "softmax_ce" ? ys.findIndex((value) => value === 1) : 0;
  const digits = yhats.length === 1 || output === "softmax_ce" ? lossDigits(output, yhats[c], ys[c]) : 4;
  const n = (number) => numberLatex(number, true, false, digits);
  const plain = (number) => latexNumber(number, digits);
  if (output === "softmax_ce") {
    if (c < 0 || ys.some((value, index) => index !== c && value !== 0)) return null;
    return { symbols: `-\\log [\\hat y_{${t}}]_{${c + 1}}`, numbers: `-\\log ${n(yhats[c])}`, entry: c, digits };
  }
  if (output === "sigmoid_bce") {
    const terms = yhats.map((p, index) => {
      if (ys[index] === 1) return `\\log ${n(p)}`;
      if (ys[index] === 0) return `\\log(1 - ${plain(p)})`;
      return `${n(ys[index])} \\log ${n(p)} + (1 - ${n(ys[index])}) \\log(1 - ${plain(p)})`;
    });
    const symbols = ys.length === 1 && (ys[0] === 1 || ys[0] === 0)
      ? (ys[0] === 1 ? `-\\log \\hat y_{${t}}` : `-\\log(1 - \\hat y_{${t}})`)
      : `-\\textstyle\\sum_i [y_i \\log \\hat y_i + (1 - y_i) \\log(1 - \\hat y_i)]`;
    const sum = terms.length === 1 ? terms[0] : terms.map((text) => `(${text})`).join(" + ");
    return { symbols, numbers: terms.length === 1 && !terms[0].includes("+") ? `-${sum}` : `-\\left(${sum}\\right)`, entry: c, digits };
  }
  const squares = yhats.map((p, index) => `(${plain(p)} - ${n(ys[index])})^2`);
  const symbols = yhats.length === 1 ? `\\tfrac12 (\\hat y_{${t}} - y_{${t}})^2` : `\\tfrac12 \\textstyle\\sum_i (\\hat y_i - y_i)^2`;
  return { symbols, numbers: `\\tfrac12 ${squares.length === 1 ? squares[0] : `\\left(${squares.join(" + ")}\\right)`}`, entry: c, digits };
}

// ---- the elements: a factor's worked entry, the term's product and running sum ------------

const picks = new Map(); // "term id|factor index" -> [i, j]: the entry in view, kept while browsing

/** The entry in view of a factor (or of the term, index "term"); [0, 0] at first. */
export function pickedEntry(termId, index) {
  return picks.get(`${termId}|${index}`) ?? [0, 0];
}

export function pickEntry(termId, index, entry) {
  picks.set(`${termId}|${index}`, entry);
}

/** Whether the entries in view of a term were chosen yet (a term drawn, or a pick made). */
export const entriesChosen = (termId) => picks.has(`${termId}|term`);

/** Forget the entries in view of a term (drawn ahead of its step: its own numbers choose them). */
export function forgetEntries(termId) {
  for (const key of [...picks.keys()]) if (key.startsWith(`${termId}|`)) picks.delete(key);
}

/**
 * A term shown for the first time starts on its largest-magnitude entry (the first of them),
 * not on [1, 1], which is often 0 (an input's one-hot zeros): the term's pick and its last
 * factor's (index lastIndex), whose entry (i, j) is the term's; for a term of two factors (W_y,
 * b_y: r is the loss factor, a row) the first factor's entry (1, i), the r_i the term uses. A
 * pick made before stays.
 */
export function startOnLargest(termId, value, lastIndex) {
  if (picks.has(`${termId}|term`)) return;
  const [rows, columns] = matrixShape(value);
  let best = [0, 0];
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < columns; j += 1) {
      if (Math.abs(entryOf(value, i, j) ?? 0) > Math.abs(entryOf(value, ...best) ?? 0)) best = [i, j];
    }
  }
  pickEntry(termId, "term", best);
  pickEntry(termId, lastIndex, best);
  if (lastIndex === 1) pickEntry(termId, 0, [0, best[0]]); // r is the first factor: its r_i
}

/** True for a template that is one of the numbers as it is ("[[W_y]]"): nothing to work out. */
export const isGiven = (template) => /^\[\[\w+(:\w+)?\]\]$/.test(template);

/**
 * The template of entry (i, j) of a factor whose templates come by block (factor.entry: rows
 * of blocks; one block for most factors, h and c parts for an LSTM's state), the entry's
 * indices within its block, the block's size and its label (labels: factor.blocks, the
 * derivative each block is; null without). null when the factor has no template.
 */
export function entryTemplate(entry, dims, i, j, labels = null) {
  if (!entry?.length || !entry[0]?.length) return null;
  const rows = dims[0] / entry.length;
  const columns = dims[1] / entry[0].length;
  const blockRow = Math.floor(i / rows);
  const blockColumn = Math.floor(j / columns);
  return {
    template: entry[blockRow][blockColumn],
    i: i - blockRow * rows,
    j: j - blockColumn * columns,
    size: [rows, columns],
    label: labels?.[blockRow]?.[blockColumn] ?? null,
  };
}

/**
 * The name of entry (i, j) of a factor in LaTeX, by its block with 1-based indices within
 * it: "[\frac{\partial h_{3}}{\partial h_{2}}]_{1,2}" for one block (Elman, GRU); for an
 * LSTM's ds_3/ds_2 with H = 2, entry (3, 2) is "[\frac{\partial c_{3}}{\partial h_{2}}]_{1,2}";
 * a block of one number is named by its label alone.
 */
export function entryName(factor, dims, i, j) {
  const local = entryTemplate(factor.entry, dims, i, j, factor.blocks);
  if (!local) return `[${factor.latex}]_{${i + 1},${j + 1}}`;
  const label = local.label ?? factor.latex;
  if (local.size[0] * local.size[1] === 1) return label;
  return `[${label}]_{${local.i + 1},${local.j + 1}}`;
}

/**
 * A factor's worked entry, kept up to date when another entry is picked (the picker, or a
 * click on a cell of its heat map): "[∂h_3/∂h_2]_{1,2} = (1 - [h_3]_1^2) [W_h]_{1,2} =
 * (1 - 0.3557^2) · 0.8 = 0.6988", the entry named in its block (entryName: an LSTM's
 * "[∂c_3/∂h_2]_{1,2}"); for a single number "= (1 - 0.3557^2) · 0.8 =". onDraw(i, j) after
 * each entry drawn (the factor's parts: workedParts).
 */
export function workedFactor(factor, value, numbers, { termId, index, typeset, onDraw = null, digits = 4, operandDigits = null }) {
  const dims = matrixShape(value, factor.shape);
  const single = dims[0] * dims[1] === 1;
  const box = createHTML("div", { class: "worked", "data-factor": index });
  const first = entryTemplate(factor.entry, dims, 0, 0);
  // Nothing to work out: no template, or an entry that is one of the numbers as it is (W_y).
  if (!first || (single && isGiven(first.template))) return box;
  const draw = ([i, j]) => {
    const local = entryTemplate(factor.entry, dims, i, j);
    const entryValue = value === null || value === undefined ? undefined : entryOf(value, i, j);
    const { symbols, numbers: filled, used } = workedEntry(local.template, numbers, local.i, local.j, entryValue, single ? digits : 4, single ? operandDigits : null);
    const parts = single
      ? (filled ? [`= ${filled} =`] : [])
      : [`${entryName(factor, dims, i, j)} = ${symbols}`, filled && !isGiven(local.template) ? `= ${filled}` : "",
        entryValue === undefined || isConstant(local.template) ? "" : `= ${latexNumber(entryValue)}`]; // a given entry or a constant: its value once
    const line = parts.filter(Boolean).length ? typeset(parts.filter(Boolean).join(" "), { className: "math worked-line" }) : null;
    if (line) {
      line.dataset.used = JSON.stringify(used);
      line.dataset.entry = JSON.stringify([i, j]);
      line.dataset.local = JSON.stringify([local.i, local.j]); // within its block (LSTM h, c)
      if (entryValue !== undefined) line.dataset.value = JSON.stringify(entryValue);
    }
    box.replaceChildren(...(single ? [] : [picker]), ...(line ? [line] : []));
    onDraw?.(i, j); // the factor's parts, if any, follow the entry in view
  };
  const pick = (i, j) => {
    pickEntry(termId, index, [i, j]);
    syncPicker(picker, [i, j]);
    draw([i, j]);
  };
  const picker = single ? null : entryPicker(dims, pickedEntry(termId, index), pick, `${factor.symbol}, the entry in view`);
  draw(pickedEntry(termId, index));
  box.pick = pick;
  return box;
}

/** An entry that is a constant, e.g. 1 in ∂⁺z/∂b_y = I (no number of the step in it). */
function isConstant(template) {
  return !template.includes("[[") && /^\s*-?\d+(\.\d+)?\s*$/.test(template);
}

function syncPicker(picker, [i, j]) {
  if (!picker) return;
  const row = picker.querySelector(".entry-row");
  const column = picker.querySelector(".entry-column");
  if (row) row.value = String(i);
  if (column) column.value = String(j);
}

/** Clicking a cell of a heat map inside `card` picks that entry. */
export function pickOnClick(card, worked) {
  card.addEventListener("click", (event) => {
    const cell = cellOf(event);
    if (!cell || !worked.pick || !card.contains(event.target)) return;
    worked.pick(cell.row, cell.column);
  });
}

/**
 * The worked lines of a factor the notes write as a product (sigmoid + BCE), for its entry
 * (i, j): each part from its template, "∂ℓ_3/∂ŷ_3 = −y_3/ŷ_3 + (1 − y_3)/(1 − ŷ_3) =
 * −1/0.6051 + (1 − 1)/(1 − 0.6051) = −1.653", then the parts' values multiplied, "∂ℓ_3/∂z_3 =
 * ∂ℓ_3/∂ŷ_3 · ∂ŷ_3/∂z_3 = (−1.653)(0.2389) = −0.3949". The parts' values are written to the
 * digits whose product makes the factor's entry as shown (operandDigits), and each part's
 * numbers to the digits that make its value as written there (workedEntry). An element with
 * draw(i, j) for the entry in view.
 */
export function workedParts(factor, value, numbers, { typeset, digits: resultDigits = 4, shared = null }) {
  const dims = matrixShape(value, factor.shape);
  const box = createHTML("div", { class: "factor-parts" });
  box.draw = (i, j) => {
    const values = factor.parts.map((part) => entryOf(part.value, i, j));
    const result = entryOf(value, i, j);
    const digits = operandDigits(values, result, "·", resultDigits);
    const lines = factor.parts.map((part, n) => partLine(part, dims, [i, j], numbers, digits[n], typeset, shared));
    const names = factor.parts.map((part) => entryName(part, dims, i, j)).join(" \\cdot ");
    const shown = values.map((number, n) => `\\left(${latexNumber(number, digits[n])}\\right)`).join("");
    const product = inRows("parts-product", [`${entryName(factor, dims, i, j)} = ${names}`, `= ${shown}`, `= ${latexNumber(result, resultDigits)}`], typeset);
    Object.assign(product.dataset, { entry: JSON.stringify([i, j]), value: JSON.stringify(result) });
    box.replaceChildren(...lines, product);
  };
  box.draw(0, 0);
  return box;
}

/** One part's line for entry (i, j): its name = its template in symbols = in numbers = value. */
function partLine(part, dims, [i, j], numbers, digits, typeset, shared = null) {
  const local = entryTemplate(part.entry, dims, i, j);
  const result = entryOf(part.value, i, j);
  const name = entryName(part, dims, i, j);
  if (!local) return inRows("part-line", [name, `= ${latexNumber(result, digits)}`], typeset);
  const given = shared && fillEntry(local.template, numbers, local.i, local.j, "numbers").used
    .map(([name, where]) => shared.get(`${name}:${where}`));
  const worked = workedEntry(local.template, numbers, local.i, local.j, result, digits, given?.every(Boolean) ? given : null);
  const rest = [worked.numbers, latexNumber(result, digits)].filter(Boolean).map((piece) => `= ${piece}`);
  const line = inRows("part-line", [`${name} = ${worked.symbols}`, ...rest], typeset);
  Object.assign(line.dataset, { symbol: part.symbol, used: JSON.stringify(worked.used), value: JSON.stringify(result) });
  return line;
}

/** A line of LaTeX in rows, so that a card stays narrow: "name = symbols" above "= numbers"
 * above "= value"; read together they are the one line. */
function inRows(className, rows, typeset) {
  return createHTML("div", { class: className }, rows.map((row) => typeset(row, { className: "math" })));
}
