// The update's entry in view, in presentation mode: for each parameter shown as grids, one entry
// marked in its old weights, its gradient (another optimiser: its Δθ) and its new weights, and
// written out under its row with those three numbers, the rule worked for that entry:
// [W_h^new]_{4,6} = 0.1234 − 0.1 × 0.05678 = 0.1177. The entry is the one the term views of
// that parameter last named, else the one that changed most (|new − old| largest).

import { createHTML } from "./svg.js";
import { gridRows, markCell } from "./heatmap.js";
import { latexNumber } from "./format.js";
import { paramLatex, typeset } from "./expression.js";
import { updateDigits } from "./update.js";

/** The grids of an update row: θ_old, then − η × g or + Δθ, then θ_new. */
const ROW_GRIDS = [".param-old", ":is(.param-grad, .param-delta)", ".param-new"];

/**
 * After the update view is drawn (present.js panelDrawn): each row's entry marked and written
 * out, or (out of presentation mode) the lines taken away. namedEntry(param): the entry
 * [i, j] the term views last named for that parameter, or null.
 */
export function markUpdateEntries(panel, namedEntry, present) {
  for (const line of panel.querySelectorAll(".update-entry")) line.remove();
  const list = panel.querySelector(":scope > .updates");
  const record = list?.updateRecord;
  if (!record || !present) return;
  for (const row of list.querySelectorAll(":scope > .update-row[data-param]")) {
    const grids = ROW_GRIDS.map((selector) => row.querySelector(`:is(${selector}).heatmap`));
    if (!grids.every(Boolean)) continue; // a few numbers, typeset whole: every one is in view
    const name = row.dataset.param;
    const [old, now] = [record.params_old[name], record.params_new[name]].map(gridRows);
    const entry = holds(old, namedEntry(name)) ? namedEntry(name) : largestChange(old, now);
    for (const grid of grids) markCell(grid, entry);
    row.after(entryLine(record, name, entry));
  }
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

/**
 * The entry's line: θ_new = θ_old − η × g (SGD) or θ_old + Δθ, each number as the server sent it
 * for that entry, at the digits update.js would give the row if it were that one number (the
 * shown numbers, worked out, give the shown result).
 */
function entryLine(record, name, [i, j]) {
  const sgd = (record.optimizer ?? "sgd") === "sgd";
  const grads = record.clipped ? record.grads_applied : record.grads;
  const delta = sgd ? null : (record.quantities ?? []).find((q) => q.name === "delta");
  const at = (value) => gridRows(value)[i][j];
  const [old, change, now] = [record.params_old[name], sgd ? grads[name] : delta.values[name], record.params_new[name]].map(at);
  const single = { ...record, params_old: { [name]: old }, params_new: { [name]: now }, grads: { [name]: change }, grads_applied: { [name]: change } };
  const { digits, grad } = updateDigits(single, name);
  const paren = (latex, number) => (number < 0 ? `(${latex})` : latex);
  const middle = sgd
    ? `${latexNumber(old, digits)} - ${latexNumber(record.learning_rate)} \\times ${paren(latexNumber(change, grad), change)}`
    : `${latexNumber(old, digits)} + ${paren(latexNumber(change), change)}`;
  const columns = gridRows(record.params_old[name])[0].length;
  const place = columns > 1 ? `${i + 1},${j + 1}` : `${i + 1}`;
  const latex = `[${paramLatex(name)}^{\\text{new}}]_{${place}} = ${middle} = ${latexNumber(now, digits)}`;
  const line = createHTML("div", { class: "update-entry", "data-param": name }, [
    typeset(latex, { display: true, className: "math update-entry-line" }),
  ]);
  Object.assign(line.dataset, { row: String(i), column: String(j) });
  return line;
}
