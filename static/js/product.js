// A term's product as it multiplies: shapes under every factor, the row vector r of the
// factors before the last (from the server), term = diag(r) · last factor, the entry in view
// worked out with its numbers, and the running sum as the addition that makes it.

import { createHTML } from "./svg.js";
import { digitsThatMakeAll, exact, flatten, isSingle, latexNumber, operandDigits } from "./format.js";
import { entryOf, entryPicker, matrixShape, pickEntry, pickedEntry, shapeLabel } from "./worked.js";
import { lineDigits } from "./stepdigits.js";

const paren = (number, digits = 4, after = true) => (after && number !== null && number < 0
  ? `\\left(${latexNumber(number, digits)}\\right)` : latexNumber(number, digits));

/** Operands written so that, added or multiplied as shown, they give the result as shown at
 * `resultDigits` (operandDigits), or at `digits` when given: the first as it is, the others in
 * parentheses when negative. */
function operandsLatex(operands, result, operation, resultDigits = 4, digits = null) {
  const counts = digits ?? operandDigits(operands, result, operation, resultDigits);
  return operands.map((number, n) => (n ? paren(number, counts[n]) : latexNumber(number, counts[n])));
}

const productOf = (decimals) => decimals.reduce(exact.multiply);

/**
 * The digits of the numbers a term's view writes, one count per quantity so that it reads the
 * same in every line: the running sum's addends first (before + term = so far, operandDigits;
 * `sums`, the epoch's counts for a parameter of one number, pagestate.js sumsAt, give them
 * instead, so that before reads as the view before wrote its sum), then the factors, one count
 * each for their cards, the r line and the term line, such that their product as shown gives
 * the term at its digits and the factors before the last give r at 4 (digitsThatMakeAll),
 * from each factor's count in every view of the epoch (sums.factors) when there is one.
 * Returns {factors, row, term, before, running}; entry (i, j) of a term of several numbers:
 * its addends' digits, the factors at 4 (the entry line picks its own).
 */
export function termDigits(term, factorValues, [i, j] = [0, 0], sums = null) {
  const [previous, value, running] = [term.previous, term.value, term.running].map((v) => entryOf(v, i, j));
  const [before, termCount] = sums ? [sums.before, sums.term]
    : term.dropped ? [4, 4] : operandDigits([previous, value], running, "+");
  const four = factorValues.map(() => 4);
  const digits = { factors: four, row: 4, term: termCount, before, running: sums?.running ?? 4 };
  const start = term.factors.map((factor) => sums?.factors?.get(factor.symbol) ?? 4); // the epoch's
  if (!isSingle(term.value) || !factorValues.every(isSingle)) return digits;
  const numbers = factorValues.map((v) => flatten(v)[0]);
  const checks = [{ combine: productOf, result: value, digits: termCount }];
  if (numbers.length > 2) checks.push({ combine: (d) => productOf(d.slice(0, -1)), result: flatten(term.row ?? [])[0], digits: 4 });
  const factors = digitsThatMakeAll(numbers, checks, start);
  return { ...digits, factors, row: numbers.length === 2 ? factors[0] : 4 };
}

/** The shape under a factor card (or under the result): "1×4", with data-shape for tests. */
export function shapeTag(dims, what) {
  return createHTML("span", {
    class: "shape-tag", "data-shape": shapeLabel(dims), title: `${what}: ${dims[0]} rows, ${dims[1]} columns`,
    text: `(${shapeLabel(dims)})`,
  });
}

/**
 * The lines under the factors: r = the factors before the last (its shape the product of
 * theirs), term = diag(r) · the last factor, the entry in view, and the running sum.
 * factorValues[i] is factor i's value (a large Jacobian read from its backward record);
 * keep(key, build) gives the element drawn last under key, or builds it (formula.js's shelf).
 */
export function productLines(term, factorValues, {
  typeset, valueElement, paramLatex, folded = [], keep = (key, build) => build(), box: kept = null,
  digits = termDigits(term, factorValues),
}) {
  const factors = term.factors;
  const last = factors.at(-1);
  const before = factors.slice(0, -1);
  const rowDims = [1, flatten(term.row ?? []).length];
  const lastDims = matrixShape(null, last.shape);
  const termDims = matrixShape(term.value);
  // The box of the last term drawn, kept in the document: its lines are updated in place.
  const box = kept ?? createHTML("div", { class: "term-product" });
  box.dataset.term = term.id;
  const rowSymbolsLatex = `r = ${rowSymbols(before, folded)} =${rowNumbers(term.row, factorValues.slice(0, -1), digits)}`;
  const shapes = before.map((factor) => `(${shapeLabel(matrixShape(null, factor.shape))})`).join("");
  const rowLine = () => createHTML("div", { class: "product-line row-line", "data-shape": shapeLabel(rowDims) }, [
    typeset(rowSymbolsLatex, { className: "math" }),
    valueElement(term.row === null ? null : [term.row], { name: "r, the factors before the last multiplied", className: "row-value", digits: digits.row }),
    createHTML("span", { class: "shape-note", text: `${shapes} = (${shapeLabel(rowDims)})` }),
  ]);
  const diagDims = [rowDims[1], rowDims[1]];
  const termLine = () => createHTML("div", {
    class: "product-line diag-line", "data-diag": shapeLabel(diagDims), "data-last": shapeLabel(lastDims), "data-shape": shapeLabel(termDims),
  }, [
    typeset(`\\text{term} = \\operatorname{diag}(r)\\, ${last.latex}`, { className: "math" }),
    createHTML("span", { class: "shape-note", text: `(${shapeLabel(diagDims)})(${shapeLabel(lastDims)}) = (${shapeLabel(termDims)})` }),
  ]);
  const words = () => createHTML("p", {
    class: "note product-words",
    text: "The last factor is the direct partial ∂⁺, shaped like the parameter; diag(r) multiplies its row i by entry i of r " +
      "(the row vector of the factors before it), so term[i, j] = r_i · ∂⁺[i, j]." +
      (lastDims[0] !== termDims[0] ? " (LSTM: the rows of h and of c are then added.)" : ""),
  });
  // The same for the terms of one step but the last factor: kept from the last term drawn.
  const lines = [
    keep(JSON.stringify(["row", rowSymbolsLatex, shapes, term.row ?? null, digits.row]), rowLine),
    keep(JSON.stringify(["diag", last.latex, diagDims, lastDims, termDims]), termLine),
    keep(JSON.stringify(["words", lastDims[0] !== termDims[0]]), words),
  ];
  const entryBox = box.querySelector(":scope > .term-entry") ?? createHTML("div", { class: "term-entry" });
  // r_i worked out, before the term line that uses it (presentation mode: after the entry lines)
  const rowBox = box.querySelector(":scope > .row-entry-box") ?? createHTML("div", { class: "row-entry-box" });
  const draw = ([i, j]) => {
    const { row, lines: entry } = entryLines(term, factorValues, [i, j], { typeset, paramLatex, digits });
    rowBox.replaceChildren(...(row ? [row] : []));
    entryBox.replaceChildren(...entry);
  };
  const entry = pickedEntry(term.id, "term");
  if (!isSingle(term.value)) lines.push(termPicker(termDims, entry, keep));
  placeChildren(box, [...lines, rowBox, entryBox]);
  box.pick = (i, j) => {
    setTermEntry(term.id, [i, j], factors.length - 1);
    draw([i, j]);
    box.onpick?.(i, j);
  };
  draw(pickedEntry(term.id, "term"));
  return box;
}

/** The term's entry picker, kept if it was drawn for this shape: it picks in the box it is in
 * (whose pick is the term's in view), showing `entry`. */
function termPicker(dims, entry, keep) {
  const build = () => {
    const picker = entryPicker(dims, entry, (i, j) => picker.closest(".term-product")?.pick(i, j), "the term, the entry in view");
    return picker;
  };
  const picker = keep(JSON.stringify(["picker", dims]), build);
  const [row, column] = [picker.querySelector(".entry-row"), picker.querySelector(".entry-column")];
  if (row) row.value = String(entry[0]);
  if (column) column.value = String(entry[1]);
  return picker;
}

/**
 * `wanted` as the children of `parent`, in order: the others removed first, so that those it
 * keeps (in the same order) are never taken out of the document (an element taken out and put
 * back is styled and laid out again as if new).
 */
export function placeChildren(parent, wanted) {
  const kept = new Set(wanted);
  for (const child of [...parent.childNodes]) if (!kept.has(child)) child.remove();
  wanted.forEach((child, i) => {
    if (parent.childNodes[i] !== child) parent.insertBefore(child, parent.childNodes[i] ?? null);
  });
}

/** r of numbers as " a \\cdot b \\cdot c =", its operands to the factors' digits (termDigits:
 * they make r as shown); "" unless r and the factors before the last are single numbers. */
function rowNumbers(row, values, digits) {
  if (!isSingle(row) || values.length < 2 || !values.every(isSingle)) return "";
  const product = operandsLatex(values.map((value) => flatten(value)[0]), flatten(row)[0], "·", 4, digits.factors);
  return ` ${product.join(" \\cdot ")} =`;
}

/** The factors before the last, written out; a folded run of cards (folded) as one \cdots. */
function rowSymbols(before, folded) {
  return before.flatMap((factor, i) => {
    if (!folded.includes(i)) return [factor.latex];
    return i === folded[0] ? ["\\cdots"] : [];
  }).join(" \\, ");
}

function setTermEntry(termId, entry, lastIndex) {
  pickEntry(termId, "term", entry);
  pickEntry(termId, lastIndex, entry); // the last factor's entry (i, j) is the term's
  if (lastIndex === 1) pickEntry(termId, 0, [0, entry[0]]); // r is the first factor: its r_i
}

/**
 * The entry in view of the term and of the running sum, with their numbers: {lines, row}, row
 * the line that works out the r_i the term line uses (rowEntryLine), or null.
 */
function entryLines(term, factorValues, [i, j], { typeset, paramLatex, digits: whole }) {
  const scalars = factorValues.every(isSingle);
  // the entry's own; a term of one number keeps the view's (its sum's digits, the epoch's)
  const digits = scalars || isSingle(term.value) ? whole : termDigits(term, factorValues, [i, j]);
  const value = entryOf(term.value, i, j);
  const lines = [];
  let row = null;
  const at = flatten(term.value).length === 1 ? "" : `_{${i + 1},${j + 1}}`;
  if (scalars) {
    const product = operandsLatex(factorValues.map((v) => flatten(v)[0]), value, "·", digits.term, digits.factors).join(" \\cdot ");
    lines.push(typeset(`\\text{term} = ${product} = ${latexNumber(value, digits.term)}`, { display: true, className: "math product-numbers" }));
  } else {
    const last = factorValues.at(-1);
    const d = last === null || last === undefined ? undefined : entryOf(last, i, j);
    const r = term.row?.[i];
    if (d !== undefined && r !== undefined && flatten(term.row).length === matrixShape(term.value)[0]) {
      const counts = operandDigits([r, d], value, "·", digits.term);
      row = rowEntryLine(term, factorValues, i, counts[0], typeset);
      lines.push(typeset(
        `[\\text{term}]${at} = r_{${i + 1}} \\cdot [${term.factors.at(-1).latex}]${at} = ${operandsLatex([r, d], value, "·", digits.term, counts).join(" \\cdot ")} = ${latexNumber(value, digits.term)}`,
        { display: true, className: "math product-numbers" },
      ));
    }
  }
  const previous = entryOf(term.previous, i, j);
  const running = entryOf(term.running, i, j);
  const so = `\\frac{\\partial L}{\\partial ${paramLatex(term.param)}}`;
  // A term the truncation window drops adds nothing: the sum skips it (the server's running).
  const sum = term.dropped
    ? typeset(
      `${at ? `[${so}]${at}` : so}\\text{ so far} = \\text{before} = ${latexNumber(running, digits.running)} \\quad (\\text{dropped: not added})`,
      { display: true, className: "math running-sum dropped" },
    )
    : typeset(
      `${at ? `[${so}]${at}` : so}\\text{ so far} = \\text{before} + \\text{term} = ${operandsLatex([previous, value], running, "+", digits.running, [digits.before, digits.term]).join(" + ")} = ${latexNumber(running, digits.running)}`,
      { display: true, className: "math running-sum" },
    );
  sum.dataset.numbers = JSON.stringify(term.dropped ? [previous, running] : [previous, value, running]);
  lines.push(sum);
  return { lines, row };
}

/**
 * r_i, the entry the term line uses, worked out from the two factors before the last (the
 * loss's row a and W_y): r_i = Σ_m a_m [W_y]_{m,i}, the numbers at the digits that make r_i as
 * written at `digits` (stepdigits.js lineDigits, as a forward line's). null when r is one
 * factor (its card works out r_i) or of more than two (the rows between are not on the page).
 */
function rowEntryLine(term, factorValues, i, digits, typeset) {
  const before = term.factors.slice(0, -1);
  if (before.length !== 2 || factorValues.slice(0, 2).some((v) => v === null || v === undefined)) return null;
  const row = flatten(factorValues[0]);
  const column = factorValues[1].map((entries) => flatten(entries)[i]);
  if (row.length !== column.length || column.some((entry) => entry === undefined)) return null;
  const values = { r: flatten(term.row)[i] };
  row.forEach((a, m) => Object.assign(values, { [`a${m}`]: a, [`b${m}`]: column[m] }));
  const rhs = row.map((_, m) => `[[a${m}]] [[*]] [[b${m}]]`).join(" + ");
  const counts = lineDigits({ rhs, result: "r" }, values, digits);
  const numbers = row.map((_, m) => `${paren(row[m], counts[`a${m}`], m > 0)} \\cdot ${paren(column[m], counts[`b${m}`])}`);
  const [a, b] = before.map((factor) => factor.latex);
  const line = typeset(
    `r_{${i + 1}} = \\textstyle\\sum_m [${a}]_{1,m} [${b}]_{m,${i + 1}} = ${numbers.join(" + ")} = ${latexNumber(values.r, digits)}`,
    { display: true, className: "math product-numbers row-entry" },
  );
  line.dataset.numbers = JSON.stringify([...row.flatMap((a, m) => [a, column[m]]), values.r]);
  return line;
}
