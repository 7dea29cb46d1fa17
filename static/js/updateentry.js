// The update's entry in view: for each parameter shown as grids (presentation mode), one entry
// marked in its old weights, its gradient (another optimiser: its Δθ) and its new weights, and
// written out under its row with its numbers, the rule worked for that entry. SGD:
// [W_h^new]_{4,6} = 0.1234 − 0.1 × 0.05678 = 0.1177. Another optimiser: its own lines (the
// server's `entry` templates, app/core/optimizers/base.py), each quantity from the state it
// found ([v]_{4,6} = 0.9 · 0.0123 + 0.05678 = 0.06785, then θ_new from it), for every parameter
// and in both modes, since its row's θ_old + Δθ cannot be redone by hand. The entry is the one E
// stepped to, else the one the term views of that parameter last named, else the one that
// changed most (|new − old| largest).

import { createHTML } from "./svg.js";
import { gridRows, markCell } from "./heatmap.js";
import { digitsForUpdate, digitsThatMake, latexNumber } from "./format.js";
import { paramLatex, typeset } from "./expression.js";
import { updateDigits } from "./update.js";
import { templateValue } from "./arithmetic.js";
import { fillEntry } from "./worked.js";

/** The grids of an update row: θ_old, then − η × g or + Δθ, then θ_new. */
const ROW_GRIDS = [".param-old", ":is(.param-grad, .param-delta)", ".param-new"];

/** The entries E stepped to, for the update record they belong to: parameter -> [i, j]. */
const stepped = { record: null, entries: new Map() };

/**
 * After the update view is drawn (present.js panelDrawn): each row's entry marked and written
 * out, or (out of presentation mode, SGD) the lines taken away. namedEntry(param): the entry
 * [i, j] the term views last named for that parameter, or null.
 */
export function markUpdateEntries(panel, namedEntry, present) {
  for (const line of panel.querySelectorAll(".update-entry")) line.remove();
  const list = panel.querySelector(":scope > .updates");
  const record = list?.updateRecord;
  const sgd = (record?.optimizer ?? "sgd") === "sgd";
  if (!record || (!present && sgd)) return;
  for (const row of list.querySelectorAll(":scope > .update-row[data-param]")) {
    const grids = ROW_GRIDS.map((selector) => row.querySelector(`:is(${selector}).heatmap`));
    const shownAsGrids = grids.every(Boolean);
    if (sgd && !shownAsGrids) continue; // a few numbers, typeset whole: every one is in view
    const name = row.dataset.param;
    const entry = entryInView(record, name, namedEntry(name));
    if (present && shownAsGrids) for (const grid of grids) markCell(grid, entry);
    row.after(sgd ? entryLine(record, name, entry) : workedLines(record, name, entry));
  }
}

/** The entry of `name` in view: E's, else the terms' last named, else the largest change. */
function entryInView(record, name, named) {
  const old = gridRows(record.params_old[name]);
  if (stepped.record === record && stepped.entries.has(name)) return stepped.entries.get(name);
  return holds(old, named) ? named : largestChange(old, gridRows(record.params_new[name]));
}

/**
 * The key E in the update view: every parameter's entry in view steps to its next (shift: its
 * previous), row by row, passing over entries the update left unchanged (hello's W_x columns of
 * an input it never sees); each entry line is written again. False when no update is shown.
 */
export function stepUpdateEntries(panel, by, namedEntry, present) {
  const record = panel.querySelector(":scope > .updates")?.updateRecord;
  if (!record) return false;
  if (stepped.record !== record) Object.assign(stepped, { record, entries: new Map() });
  for (const name of Object.keys(record.params_new)) {
    const [old, now] = [record.params_old[name], record.params_new[name]].map(gridRows);
    const columns = old[0]?.length ?? 1;
    const count = old.length * columns;
    if (count < 2) continue;
    const [i, j] = entryInView(record, name, namedEntry(name));
    const changed = (n) => now[Math.floor(n / columns)][n % columns] !== old[Math.floor(n / columns)][n % columns];
    const ahead = (n) => (i * columns + j + by * n + count * count) % count;
    const next = ahead(Array.from({ length: count }, (_, n) => n + 1).find((n) => changed(ahead(n))) ?? 1);
    stepped.entries.set(name, [Math.floor(next / columns), next % columns]);
  }
  markUpdateEntries(panel, namedEntry, present);
  return true;
}

/** True when `entry` ([i, j], 0-based) is inside the rows. */
function holds(rows, entry) {
  return Boolean(entry) && entry[0] < rows.length && entry[1] < (rows[0]?.length ?? 0);
}

/** The first entry whose change |new − old| is largest (an overflowed number passed over). */
function largestChange(old, now) {
  let best = [0, 0];
  let most = -1;
  old.forEach((row, i) => row.forEach((number, j) => {
    const change = Math.abs(now[i][j] - number);
    if (Number.isFinite(change) && change > most) [best, most] = [[i, j], change];
  }));
  return best;
}

/** "2,3" for a matrix's entry, "2" for a vector's, "" for a single number (1-based). */
function placeOf(value, [i, j]) {
  const rows = gridRows(value);
  if (rows.length * (rows[0]?.length ?? 1) === 1) return "";
  return rows[0].length > 1 ? `${i + 1},${j + 1}` : `${i + 1}`;
}

/** [symbol]_{place}, or the symbol alone for a single number. */
const named = (latex, place) => (place ? `[${latex}]_{${place}}` : latex);

/**
 * The entry's line: θ_new = θ_old − η × g (SGD), each number as the server sent it for that
 * entry, at the digits update.js would give the row if it were that one number (the shown
 * numbers, worked out, give the shown result).
 */
function entryLine(record, name, [i, j]) {
  const grads = record.clipped ? record.grads_applied : record.grads;
  const at = (value) => gridRows(value)[i][j];
  const [old, change, now] = [record.params_old[name], grads[name], record.params_new[name]].map(at);
  const single = { ...record, params_old: { [name]: old }, params_new: { [name]: now }, grads: { [name]: change }, grads_applied: { [name]: change } };
  const { digits, grad } = updateDigits(single, name);
  const paren = (latex, number) => (number < 0 ? `(${latex})` : latex);
  const middle = `${latexNumber(old, digits)} - ${latexNumber(record.learning_rate)} \\times ${paren(latexNumber(change, grad), change)}`;
  const place = placeOf(record.params_old[name], [i, j]);
  const latex = `${named(`${paramLatex(name)}^{\\text{new}}`, place)} = ${middle} = ${latexNumber(now, digits)}`;
  return entryBox(name, [i, j], [latex]);
}

function entryBox(name, [i, j], lines) {
  const box = createHTML("div", { class: "update-entry", "data-param": name },
    lines.map((latex) => typeset(latex, { display: true, className: "math update-entry-line" })));
  Object.assign(box.dataset, { row: String(i), column: String(j) });
  return box;
}

/**
 * Another optimiser's lines for entry (i, j) of `name`, from the server's templates: each
 * quantity worked from the state the update found, then θ_new. Digits from the last line
 * back: θ_new and θ_old at the count that shows the change, and each quantity written with
 * the count its later line used it at, its own line's numbers then chosen to make it.
 */
function workedLines(record, name, entry) {
  const numbers = entryNumbers(record, name, entry);
  const lines = (record.entry ?? []).map(({ name: computes, template }) => ({
    computes, template: template.replaceAll(":ij", "").replaceAll("[[n]]", String(record.update_number)),
  }));
  const counts = new Map([["old", digitsForUpdate([numbers.get("old").value], [numbers.get("new").value])]]);
  counts.set("new", counts.get("old"));
  const found = [...lines].reverse().map((line) => {
    const result = numbers.get(line.computes)?.value;
    const digits = counts.get(line.computes) ?? 4;
    const { names, occurrences } = placeholders(line.template, numbers);
    const start = names.map((key) => counts.get(key) ?? 4);
    const combine = (decimals) => templateValue(line.template, occurrences.map((key) => decimals[names.indexOf(key)]));
    const operands = names.map((key) => numbers.get(key).value);
    const made = Number.isFinite(result) ? digitsThatMake(operands, result, combine, start, digits) : start;
    names.forEach((key, n) => counts.set(key, Math.max(counts.get(key) ?? 4, made[n])));
    return { ...line, names, occurrences, digits };
  }).reverse();
  const place = placeOf(record.params_old[name], entry);
  // a quantity named with its parameter (v of W_h: v_{W_h}), as its row says "W_h: g = … v = …"
  const quantity = (computes) => (record.quantities ?? []).find((q) => q.name === computes)?.latex ?? computes;
  const latexOf = (computes) => (computes === "new" ? `${paramLatex(name)}^{\\text{new}}` : `${quantity(computes)}_{${paramLatex(name)}}`);
  return entryBox(name, entry, found.map(({ computes, template, occurrences, digits }) => {
    const filled = fillEntry(template, numbers, 0, 0, "numbers", occurrences.map((key) => counts.get(key) ?? 4)).latex;
    return `${named(latexOf(computes), place)} = ${filled} = ${latexNumber(numbers.get(computes)?.value ?? null, digits)}`;
  }));
}

/** The distinct names a template puts in, in order, and every occurrence's name. */
function placeholders(template, numbers) {
  const occurrences = [...template.matchAll(/\[\[(\w+)\]\]/g)].map((match) => match[1]).filter((key) => numbers.has(key));
  return { names: [...new Set(occurrences)], occurrences };
}

/**
 * The numbers of entry (i, j) a template may name, as { value }: this update's quantities (g,
 * v, m_hat, ...), each slot as the update found it (prev_v; zeros for a fresh state), old and
 * new, η and the hyper-parameters. All of them the server's.
 */
function entryNumbers(record, name, [i, j]) {
  const at = (value) => (value === undefined ? 0 : gridRows(value)[i]?.[j] ?? null);
  const numbers = new Map();
  const put = (key, value) => numbers.set(key, { value, latex: key });
  for (const q of record.quantities ?? []) put(q.name, at(q.values[name]));
  const slots = record.state_before?.slots ?? {};
  for (const { template } of record.entry ?? []) {
    for (const [, slot] of template.matchAll(/\[\[prev_(\w+?)(?::ij)?\]\]/g)) put(`prev_${slot}`, at(slots[slot]?.[name]));
  }
  put("old", at(record.params_old[name]));
  put("new", at(record.params_new[name]));
  put("eta", record.learning_rate);
  for (const [key, value] of Object.entries(record.hyper ?? {})) put(key, value);
  return numbers;
}
