// Presentation mode (?present=1, the "Present" button or the P key): type for the back of a
// room (node and formula text at least 28 px on screen), thick strokes, high contrast, the
// editor hidden; a presenter's clicker drives it (→ ← PageDown PageUp space), and ? lists
// every key.

import { SCALE } from "./graph.js";
import { flatten } from "./format.js";
import { fitRoomGrids, gridRows, markCell } from "./heatmap.js";
import { redrawLossChart } from "./chart.js";
import { markUpdateEntries, stepUpdateEntries } from "./updateentry.js";

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
  panelDrawn(); // the panel's grids and the loss chart drawn for the mode at once, not at the next view
  redrawLossChart();
}

/**
 * After the panel is drawn (each view, a switch of mode, a resize): its grids drawn for the
 * mode (fitRoomGrids) and the term's entry in view marked in each of them that has it.
 */
export function panelDrawn() {
  const panel = document.getElementById("formula");
  if (!panel) return;
  if (presenting()) whenRoomFaceLoaded(panelDrawn);
  fitRoomGrids(panel);
  if (presenting()) keepValueLineWhole(panel);
  markEntryInView(panel);
}

/**
 * The narrow face a wide grid's numbers are set in (vendored, static/css/explorer.css): fitRoomGrids
 * measures the grids as drawn, so before the face is loaded it would measure the fallback's wider
 * numbers. The face is loaded once (no grid may use it yet), then `redraw` measures again.
 */
const ROOM_FACE = '28px "PT Sans Narrow"';
let roomFaceAsked = false;

function whenRoomFaceLoaded(redraw) {
  if (roomFaceAsked || !document.fonts || document.fonts.check(ROOM_FACE)) return;
  roomFaceAsked = true;
  document.fonts.load(ROOM_FACE).then(redraw, () => {});
}

const EDGE = 8; // px kept free at the window's edges (as render.js revealLines)

/**
 * A term's value line and entry lines fit one window under the head (render.js revealPanel
 * brings them up together): when the value line's grids, writing their numbers each on a line
 * of its own, make them too tall (a 6×6 W_h term and its sum so far), those two are colour
 * squares side by side again; the entry in view is written out under them with its numbers.
 */
function keepValueLineWhole(panel) {
  const summary = panel.querySelector(":scope > .term-summary");
  const entry = panel.querySelector(".term-entry");
  const written = summary?.querySelectorAll(".room-numbers") ?? [];
  if (!entry || !written.length) return;
  const top = (panel.querySelector(":scope > .term-what") ?? summary).getBoundingClientRect().top;
  if (entry.getBoundingClientRect().bottom - top <= window.innerHeight - headHeight() - 2 * EDGE) return;
  for (const grid of written) {
    grid.classList.remove("room-numbers");
    grid.parentElement.classList.remove("room-wide");
  }
}

/**
 * The grids that hold a term's entry in view: the term, its sum so far, the product's value
 * and the running sum of its parameter. Each marks that entry's cell (a thick outline in
 * presentation mode), as the term's picker says.
 */
const TERM_GRIDS = [
  "#term-value", ".summary-running", ".product-value", ".running-item.current .running-value",
].map((selector) => `#formula :is(${selector}).heatmap`).join(", ");

function markEntryInView(panel) {
  const picker = panel.querySelector(".term-product > .entry-picker");
  const row = picker?.querySelector(".entry-row");
  const column = picker?.querySelector(".entry-column");
  const entry = row || column ? [Number(row?.value ?? 0), Number(column?.value ?? 0)] : null;
  const shape = document.getElementById("term-value")?.dataset.value;
  for (const element of panel.querySelectorAll(".heatmap")) {
    const holds = entry && element.matches(TERM_GRIDS) && sameShape(element, shape);
    markCell(element, holds ? entry : null);
  }
  const param = panel.querySelector(":scope > .term-product")?.dataset.term?.split(":")[0];
  if (entry && param && shape && gridRows(JSON.parse(shape))[entry[0]]?.[entry[1]]) lastNamed.set(param, entry);
  markUpdateEntries(panel, namedEntry, presenting());
}

/** The entry [i, j] the term views of a parameter last named, or null. */
const namedEntry = (name) => lastNamed.get(name) ?? null;

/**
 * Parameter name -> the entry [i, j] its term views last named, where the term is not 0 there
 * (W_h's term at t = 1 is all 0: h_0 = 0): the update marks the same entry.
 */
const lastNamed = new Map();

/** True when a heat map's value has the shape of the term's (given as the term's JSON). */
function sameShape(element, termJSON) {
  const [a, b] = [JSON.parse(element.dataset.value), JSON.parse(termJSON)];
  const shapeOf = (value) => [value.length, Array.isArray(value[0]) ? value[0].length : 0];
  return JSON.stringify(shapeOf(a)) === JSON.stringify(shapeOf(b));
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
  // A pick of the entry in view (its picker, a cell clicked, E) marks it in the grids.
  const panel = document.getElementById("formula");
  for (const kind of ["change", "click"]) panel?.addEventListener(kind, () => queueMicrotask(() => markEntryInView(panel)));
  window.addEventListener("resize", panelDrawn);
  if (new URL(window.location.href).searchParams.get("present") === "1") setPresenting(true, refit);
}

/** The head's height as --head on the body: the page starts below it, the graph sticks under it. */
function keepHeadHeight() {
  const head = document.getElementById("present-head");
  if (!head || !window.ResizeObserver) return;
  new ResizeObserver(() => setHead(presenting() ? head.getBoundingClientRect().height : 0)).observe(head);
}

/** --head on the body at `height` px (rounded up), set only when it changes. */
function setHead(height) {
  const value = `${Math.ceil(height)}px`;
  if (document.body.style.getPropertyValue("--head") !== value) document.body.style.setProperty("--head", value);
}

/**
 * The px at the window's top that the head covers (0 outside presentation mode). The page's
 * --head is brought up to it here too: the ResizeObserver sets it only after the next layout, so
 * a press whose head changed height (a status line of two lines while it waited, one after)
 * would bring its lines under a head of the old height, then see them slide under the new one.
 */
export function headHeight() {
  const head = document.getElementById("present-head");
  if (!presenting() || !head) return 0;
  const height = head.getBoundingClientRect().height;
  setHead(height);
  return height;
}

/** The pickers of the entry in view, the term's (or the output's, forward) first. */
const ENTRY_PICKER = "#formula .term-product > .entry-picker, #formula .output-entry-box .entry-picker";

/**
 * The key E: the next entry in view (shift: the previous), row by row, as the picker would
 * choose it; a term's entries that are 0 are passed over (hello's one-hot x_t leaves 18 of
 * W_x's 24 entries 0). The entry's lines are written out again with its numbers. In the update
 * view every parameter's entry steps (updateentry.js), and its lines come into view.
 */
export function stepEntry(by) {
  const picker = document.querySelector(ENTRY_PICKER);
  const panel = document.getElementById("formula");
  if (!picker && panel && stepUpdateEntries(panel, by, namedEntry, presenting())) {
    bringIntoView(panel.querySelector(".update-entry"));
    return;
  }
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
  const output = picker.closest(".output-entry-box");
  (column ?? row)?.dispatchEvent(new Event("change", { bubbles: true }));
  markEntryInView(document.getElementById("formula"));
  bringIntoView(output?.isConnected ? output : document.querySelector("#formula .output-entry-box"));
}

/**
 * A forward step's z_t entry, written out under ℓ_t, reaches below a 1080 px window: E, which
 * steps it, scrolls the window until the entry's lines are whole above its bottom edge (h_t
 * moves up under the head; ŷ_t and ℓ_t stay in view).
 */
function bringIntoView(box) {
  if (!box) return;
  const { top, bottom } = box.getBoundingClientRect();
  const below = bottom + EDGE - window.innerHeight;
  const room = top - headHeight() - EDGE;
  if (below > 0) window.scrollBy({ top: Math.min(below, room), behavior: "instant" });
}

/** A term's numbers row by row, as the server sent its value (null: not a term's picker). */
function termNumbers(picker, count) {
  const shown = picker.closest(".term-product") && document.getElementById("term-value")?.dataset.value;
  const numbers = shown ? flatten(JSON.parse(shown)) : [];
  return numbers.length === count ? numbers : null;
}
