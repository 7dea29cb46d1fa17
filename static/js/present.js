// Presentation mode (?present=1, the "Present" button or the P key): type for the back of a
// room (node and formula text at least 28 px on screen), thick strokes, high contrast, the
// editor hidden; a presenter's clicker drives it (→ ← PageDown PageUp space), and ? lists
// every key.

import { SCALE } from "./graph.js";
import { flatten } from "./format.js";

const NODE_TEXT = 15; // px in the picture's units (.node-label, .node-number)
const ROOM_TEXT = 28; // px on screen: the smallest type a room reads from the back
const NORMAL = { ...SCALE };

/** The step a key asks for: "next", "previous" or null (arrows and a presenter's clicker). */
export function clickerStep(event) {
  if (event.key === "ArrowRight" || event.key === "PageDown" || event.key === " ") return "next";
  if (event.key === "ArrowLeft" || event.key === "PageUp") return "previous";
  return null;
}

/** True while the page is in presentation mode. */
export const presenting = () => document.body.classList.contains("present");

/** Into or out of presentation mode; the address keeps it (?present=1); refit() redraws the graph. */
export function setPresenting(on, refit) {
  document.body.classList.toggle("present", on);
  SCALE.min = on ? ROOM_TEXT / NODE_TEXT + 0.01 : NORMAL.min;
  SCALE.max = on ? 3 : NORMAL.max;
  const button = document.getElementById("present-button");
  if (button) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Leave presentation" : "Present";
  }
  const url = new URL(window.location.href);
  if (on) url.searchParams.set("present", "1");
  else url.searchParams.delete("present");
  window.history.replaceState(window.history.state, "", url);
  refit();
}

/** The key list (?): opens and closes the dialog that lists every key. */
export function toggleKeys() {
  const dialog = document.getElementById("keys-help");
  if (!dialog) return;
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

/**
 * Wire the button and the keys P and ?; start in presentation mode when the address says so.
 * refit: redraw the graph at the mode's scale.
 */
export function setUpPresenting(refit) {
  document.getElementById("present-button")?.addEventListener("click", () => setPresenting(!presenting(), refit));
  document.getElementById("keys-button")?.addEventListener("click", toggleKeys);
  document.getElementById("keys-close")?.addEventListener("click", toggleKeys);
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest?.("input, textarea, select, [contenteditable]")) return;
    if (event.key === "?") toggleKeys();
    else if (event.key === "p" || event.key === "P") setPresenting(!presenting(), refit);
    else if (event.key === "e" || event.key === "E") stepEntry(event.key === "e" ? 1 : -1);
    else return;
    event.preventDefault();
  });
  keepHeadHeight();
  if (new URL(window.location.href).searchParams.get("present") === "1") setPresenting(true, refit);
}

/** The head's height as --head on the body: the page starts below it, the graph sticks under it. */
function keepHeadHeight() {
  const head = document.getElementById("present-head");
  if (!head || !window.ResizeObserver) return;
  new ResizeObserver(() => {
    const height = presenting() ? head.getBoundingClientRect().height : 0;
    document.body.style.setProperty("--head", `${Math.ceil(height)}px`);
  }).observe(head);
}

/** The px at the window's top that the head covers (0 outside presentation mode). */
export function headHeight() {
  const head = document.getElementById("present-head");
  return presenting() && head ? head.getBoundingClientRect().height : 0;
}

/** The pickers of the entry in view, the term's (or the output's, forward) first. */
const ENTRY_PICKER = "#formula .term-product > .entry-picker, #formula .output-entry-box .entry-picker";

/**
 * The key E: the next entry in view (shift: the previous), row by row, as the picker would
 * choose it; a term's entries that are 0 are passed over (hello's one-hot x_t leaves 18 of
 * W_x's 24 entries 0). The entry's lines are written out again with its numbers.
 */
export function stepEntry(by) {
  const picker = document.querySelector(ENTRY_PICKER);
  if (!picker) return;
  const row = picker.querySelector(".entry-row");
  const column = picker.querySelector(".entry-column");
  const [rows, columns] = [row?.options.length ?? 1, column?.options.length ?? 1];
  const count = rows * columns;
  const at = Number(row?.value ?? 0) * columns + Number(column?.value ?? 0);
  const numbers = termNumbers(picker, count);
  const ahead = (n) => (at + by * n + count * count) % count;
  const steps = Array.from({ length: count }, (_, n) => n + 1);
  const next = ahead(steps.find((n) => !numbers || numbers[ahead(n)] !== 0) ?? 1);
  if (row) row.value = String(Math.floor(next / columns));
  if (column) column.value = String(next % columns);
  (column ?? row)?.dispatchEvent(new Event("change", { bubbles: true }));
}

/** A term's numbers row by row, as the server sent its value (null: not a term's picker). */
function termNumbers(picker, count) {
  const shown = picker.closest(".term-product") && document.getElementById("term-value")?.dataset.value;
  const numbers = shown ? flatten(JSON.parse(shown)) : [];
  return numbers.length === count ? numbers : null;
}
