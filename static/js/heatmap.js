// A value too big to typeset, drawn as a grid of cells in the graph's diverging colours.
// Small matrices show their numbers in the cells; bigger ones are cells only (the cell under the
// pointer named in the grid's title). Every number stays reachable: an aria-label with the shape
// and the first numbers (the grid takes focus), and the shape beside it opens (<details>) to a
// table of all of them. A colour scale with its values sits beside each.

import { createHTML, createSVG } from "./svg.js";
import { divergingColour, divergingRGB, flatten, formatNumber, largestMagnitude, shapeOf } from "./format.js";

const CELL = { normal: 14, compact: 9 };
const LARGEST_SIDE = { normal: 168, compact: 108 }; // px; past this, cells shrink (to 3 px)
const SPOKEN = 6; // numbers read out in the aria-label

/** Rows of numbers: a matrix as it is, a vector (n) as a column (n×1), as in the formulas. */
export function gridRows(value) {
  if (!Array.isArray(value)) return [[value]];
  if (!value.length) return [];
  return Array.isArray(value[0]) ? value : value.map((number) => [number]);
}

/** "6×6", "6" for a vector, as the server's shapes read. */
export function shapeText(value) {
  return shapeOf(value).join("×");
}

/** Up to this many columns and numbers, the cells show their numbers (they fit a card). */
const NUMBERS_SHOWN = { normal: { columns: 6, count: 48 }, compact: { columns: 4, count: 16 } };

/** The grid with its shape beside it, a colour scale with its values, and a table of all numbers. */
export function heatmap(value, { size = "normal", name = "", digits = 4, numbers: withNumbers = true } = {}) {
  const rows = gridRows(value);
  const columns = rows[0]?.length ?? 0;
  const numbers = flatten(value);
  const scale = largestMagnitude(numbers);
  const shape = shapeText(value);
  const first = numbers.slice(0, SPOKEN).map((number) => formatNumber(number, digits)).join(", ");
  const more = numbers.length > SPOKEN ? `, … (${numbers.length} numbers; all in the table “numbers”)` : "";
  const label = `${name ? `${name}: ` : ""}${shape} ${rows.length > 1 && columns > 1 ? "matrix" : "vector"}, reading row by row: ${first}${more}`;
  const options = { size, digits, withNumbers, rows: rows.length, columns };
  const element = createHTML("span", { class: `heatmap heatmap-${size}` }, [
    gridFor(rows, scale, label, options),
    createHTML("span", { class: "heatmap-side" }, [
      numberTable(rows, shape, numbers.length, digits),
      colourScale(scale),
    ]),
  ]);
  element.dataset.value = JSON.stringify(value);
  element.dataset.options = JSON.stringify(options);
  return element;
}

/** The grid the mode draws: its numbers in cells (numberGrid) or colour cells only (cellGrid). */
function gridFor(rows, scale, label, options) {
  const { size, digits } = options;
  return writesNumbers(options) ? numberGrid(rows, scale, cellDigits(options), label) : cellGrid(rows, scale, digits, label, size);
}

/**
 * The digits a grid's cells are written with: the value's, but at most ROOM_DIGITS in a grid of
 * 5 columns or more in presentation mode (a term's 6×6 at 6 digits, "−9.11875×10⁻⁴", cannot fit
 * the panel; the entry in view is written out with all of them in the entry lines).
 */
function cellDigits({ digits, columns }) {
  return presentingNow() && columns > ROOM_COLUMNS ? Math.min(digits, ROOM_DIGITS) : digits;
}

const ROOM_DIGITS = 4;

/** True when the mode draws a grid of `rows` × `columns` as a table of its numbers. */
function writesNumbers({ size, withNumbers, rows, columns }) {
  const count = columns * rows;
  const limit = NUMBERS_SHOWN[size];
  return presentingNow()
    ? count <= ROOM_COUNT
    : withNumbers && columns <= limit.columns && count <= limit.count;
}

/**
 * Presentation mode draws every grid of up to ROOM_COUNT numbers as a table of its cells, also
 * where the normal view draws colour cells only (a running sum "∂L/∂W_x so far", the update's
 * weights). Up to 4 columns its numbers are written at 28 px (they fit the panel's width); a
 * wider grid (a 6×6 W_h term, a 4×6 W_y) writes them only when fitRoomGrids finds that the grid,
 * as wide as the panel at most, holds them at 28 px; else its cells are colour squares.
 */
const ROOM_COUNT = NUMBERS_SHOWN.normal.count;
const ROOM_COLUMNS = 4; // up to this many columns the numbers always fit the panel at 28 px
const presentingNow = () => document.body.classList.contains("present");

/**
 * After a view is drawn, or the mode switched (P): each heat map of `root` drawn for the mode
 * (a grid kept from a view drawn in the other mode is drawn again), and in presentation mode
 * each grid of 5 columns or more measured: its numbers written (class room-numbers, the grid
 * on a line of its own) when it is then no wider than the panel, else colour squares.
 */
export function fitRoomGrids(root) {
  const present = presentingNow();
  for (const element of root.querySelectorAll(".heatmap[data-options]")) redrawForMode(element, present);
  if (!present) return;
  const wide = [...root.querySelectorAll(".heatmap > table.number-grid")]
    .filter((grid) => (grid.rows[0]?.cells.length ?? 0) > ROOM_COLUMNS);
  for (const grid of wide) {
    grid.classList.add("room-numbers");
    grid.parentElement.classList.add("room-wide");
  }
  const style = getComputedStyle(root);
  const left = root.getBoundingClientRect().left + root.clientLeft + parseFloat(style.paddingLeft);
  const right = left + root.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const boxes = wide.map((grid) => grid.getBoundingClientRect()); // one layout for all
  wide.forEach((grid, n) => {
    // on its line, centred under its label or in its box: inside the panel's padding
    const fits = boxes[n].width > 0 && boxes[n].left >= left - 0.5 && boxes[n].right <= right + 0.5;
    grid.classList.toggle("room-numbers", fits);
    grid.parentElement.classList.toggle("room-wide", fits);
  });
}

/** A heat map's grid drawn again when the mode draws another kind (a table, colour cells). */
function redrawForMode(element, present) {
  const grid = element.querySelector(":scope > .heatmap-grid");
  if (!grid) return;
  const options = JSON.parse(element.dataset.options);
  const table = grid.tagName === "TABLE";
  if (writesNumbers(options) === table && (!table || grid.dataset.digits === String(cellDigits(options)))) return;
  const rows = gridRows(JSON.parse(element.dataset.value));
  grid.replaceWith(gridFor(rows, largestMagnitude(flatten(rows)), grid.getAttribute("aria-label"), options));
  if (!present) element.classList.remove("room-wide");
}

/**
 * The entry in view (0-based; a vector's column 0) marked in a heat map's grid; null: none. In
 * presentation mode a grid whose cells are colour squares (no number drawn in them) writes that
 * entry out under it at room size, "[4,6] = 0.2283", as its cell would hold it.
 */
export function markCell(element, entry) {
  for (const cell of element.querySelectorAll(":scope > .heatmap-grid .in-view")) cell.classList.remove("in-view");
  element.querySelector(":scope > .entry-note")?.remove();
  if (!entry) return;
  const [i, j] = entry;
  element.querySelector(`:scope > .heatmap-grid [data-row="${i}"][data-column="${j}"]`)?.classList.add("in-view");
  const grid = element.querySelector(":scope > .heatmap-grid");
  if (presentingNow() && grid && !writesInCells(grid)) grid.after(entryNote(element, i, j));
}

/** True when a grid as drawn now shows its numbers in its cells (presentation mode's CSS). */
function writesInCells(grid) {
  const columns = grid.tagName === "TABLE" ? (grid.rows[0]?.cells.length ?? 0) : Infinity;
  return columns <= ROOM_COLUMNS || grid.classList.contains("room-numbers");
}

/** "[i,j] = number" (1-based; a vector's "[i] = number") of a heat map's value, at its digits. */
function entryNote(element, i, j) {
  const rows = gridRows(JSON.parse(element.dataset.value));
  const { digits } = JSON.parse(element.dataset.options);
  const place = rows[0].length > 1 ? `${i + 1},${j + 1}` : `${i + 1}`;
  const text = `[${place}] = ${formatNumber(rows[i]?.[j] ?? null, digits)}`;
  return createHTML("span", { class: "entry-note", text });
}

/** The cells with their numbers in them, coloured (a small matrix: every number readable). */
function numberGrid(rows, scale, digits, label) {
  return createHTML("table", { class: "heatmap-grid number-grid", tabindex: 0, role: "img", "aria-label": label, "data-digits": digits }, [
    createHTML("tbody", {}, rows.map((row, r) => createHTML("tr", {}, row.map((number, c) => {
      const text = formatNumber(number, digits);
      const cell = createHTML("td", {
        class: number === null ? "heatmap-cell not-finite" : "heatmap-cell",
        "data-row": r, "data-column": c, "data-number": text, text,
        style: { background: divergingColour(number, scale), color: inkOn(number, scale) },
      });
      return cell;
    })))),
  ]);
}

/**
 * The ink of a cell's number: black or white, whichever contrasts more with the cell's colour
 * (WCAG's relative luminance). One of the two always reaches 4.5:1 (AA for normal text): white
 * on the full Okabe–Ito orange would be 2.2:1, black on it is 8.3:1; white on the full blue 5.2:1.
 */
function inkOn(number, scale) {
  const light = luminance(divergingRGB(number, scale));
  return (1.05 / (light + 0.05)) > ((light + 0.05) / 0.05) ? "#ffffff" : "#000000";
}

/** WCAG 2's relative luminance of an sRGB colour ([red, green, blue] in 0..255). */
function luminance(rgb) {
  const linear = rgb.map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
}

/** Up to this many numbers a grid is one element per cell; past it, one <canvas> (a 32×32 W_h). */
export const CELLS_AS_ELEMENTS = 144;

/**
 * A bigger matrix: one rect per number (no title each; the grid's title names the cell under
 * the pointer), or past CELLS_AS_ELEMENTS one canvas painted cell by cell: a thousand rects
 * cost the browser a thousand elements to style, lay out and paint at every view.
 */
function cellGrid(rows, scale, digits, label, size) {
  const columns = rows[0]?.length ?? 0;
  const longest = Math.max(rows.length, columns, 1);
  const cell = Math.max(3, Math.min(CELL[size], Math.floor(LARGEST_SIDE[size] / longest)));
  if (rows.length * columns > CELLS_AS_ELEMENTS) return canvasGrid(rows, scale, digits, label, cell);
  const grid = createSVG("svg", {
    class: "heatmap-grid", width: columns * cell, height: rows.length * cell,
    viewBox: `0 0 ${columns * cell} ${rows.length * cell}`, tabindex: 0, role: "img", "aria-label": label,
  }, [createSVG("title", { text: "" })]);
  rows.forEach((row, r) => row.forEach((number, c) => {
    grid.append(createSVG("rect", {
      x: c * cell, y: r * cell, width: cell, height: cell,
      fill: divergingColour(number, scale),
      class: number === null ? "heatmap-cell not-finite" : "heatmap-cell",
      "data-row": r, "data-column": c, "data-number": formatNumber(number, digits),
    }));
  }));
  grid.addEventListener("mouseover", (event) => {
    const target = event.target.closest?.("[data-row]");
    if (target) grid.firstChild.textContent = `[${Number(target.dataset.row) + 1}, ${Number(target.dataset.column) + 1}] = ${target.dataset.number}`;
  });
  return grid;
}

/**
 * The cells painted on one canvas, as the rects would be: one pixel per number, scaled up
 * without smoothing, then the cell lines; the title names the cell under the pointer.
 */
function canvasGrid(rows, scale, digits, label, cell) {
  const columns = rows[0].length;
  const ratio = window.devicePixelRatio || 1;
  const [width, height] = [columns * cell, rows.length * cell];
  const grid = createHTML("canvas", {
    class: "heatmap-grid heatmap-canvas", width: Math.round(width * ratio), height: Math.round(height * ratio),
    tabindex: 0, role: "img", "aria-label": label, style: { width: `${width}px`, height: `${height}px` },
  });
  grid.dataset.cell = String(cell);
  grid.dataset.rows = String(rows.length);
  grid.dataset.columns = String(columns);
  const pixels = new ImageData(columns, rows.length);
  rows.forEach((row, r) => row.forEach((number, c) => {
    pixels.data.set([...divergingRGB(number, scale), 255], 4 * (r * columns + c));
  }));
  const small = document.createElement("canvas");
  [small.width, small.height] = [columns, rows.length];
  small.getContext("2d").putImageData(pixels, 0, 0);
  const context = grid.getContext("2d");
  context.scale(ratio, ratio);
  context.imageSmoothingEnabled = false;
  context.drawImage(small, 0, 0, width, height);
  context.beginPath(); // the cell lines, as the rects' light stroke
  for (let r = 0; r <= rows.length; r += 1) context.rect(0, r * cell, width, 0);
  for (let c = 0; c <= columns; c += 1) context.rect(c * cell, 0, 0, height);
  context.lineWidth = 0.5;
  context.strokeStyle = "rgba(0, 0, 0, 0.15)";
  context.stroke();
  context.lineWidth = 1.5;
  context.strokeStyle = "#D55E00"; // --warn: a number that stopped being finite
  rows.forEach((row, r) => row.forEach((number, c) => {
    if (number === null) context.strokeRect(c * cell + 0.75, r * cell + 0.75, cell - 1.5, cell - 1.5);
  }));
  grid.addEventListener("mousemove", (event) => {
    const picked = cellOf(event);
    if (picked) grid.title = `[${picked.row + 1}, ${picked.column + 1}] = ${formatNumber(rows[picked.row][picked.column], digits)}`;
  });
  return grid;
}

/**
 * The heat-map cell a pointer event is on, { row, column } (0-based), or null: a cell element
 * (data-row, data-column) or a place on a canvas grid.
 */
export function cellOf(event) {
  const element = event.target.closest?.("[data-row]");
  if (element) return { row: Number(element.dataset.row), column: Number(element.dataset.column) };
  const canvas = event.target.closest?.(".heatmap-canvas");
  if (!canvas) return null;
  const cell = Number(canvas.dataset.cell);
  const row = Math.floor(event.offsetY / cell);
  const column = Math.floor(event.offsetX / cell);
  const inside = row >= 0 && column >= 0 && row < Number(canvas.dataset.rows) && column < Number(canvas.dataset.columns);
  return inside ? { row, column } : null;
}

/** The colours' meaning: −max, 0 and +max, with their values. */
function colourScale(scale) {
  const stops = [-1, -0.5, 0, 0.5, 1].map((share) => createHTML("span", {
    class: "scale-swatch", style: { background: divergingColour(share * scale, scale) },
  }));
  return createHTML("span", { class: "colour-scale", title: "colour scale: blue below 0, orange above, full colour at the largest |value|" }, [
    createHTML("span", { class: "scale-value", text: formatNumber(-scale, 2) }),
    ...stops,
    createHTML("span", { class: "scale-value", text: formatNumber(scale, 2) }),
  ]);
}

/** The shape beside the grid, opening to all the numbers, row by row, in a table (built when opened). */
function numberTable(rows, shape, count, digits) {
  const holder = createHTML("div", { class: "heatmap-table" });
  const details = createHTML("details", { class: "heatmap-numbers" }, [
    createHTML("summary", { title: `show all ${count} numbers` }, [
      createHTML("span", { class: "shape", text: `(${shape})` }),
      createHTML("span", { class: "visually-hidden", text: ` numbers: show all ${count}` }),
    ]),
    holder,
  ]);
  details.addEventListener("toggle", () => {
    if (details.open && !holder.firstChild) holder.append(fullTable(rows, shape, digits));
  });
  return details;
}

function fullTable(rows, shape, digits) {
  const body = rows.map((row, r) => createHTML("tr", {}, [
    createHTML("th", { scope: "row", text: String(r + 1) }),
    ...row.map((number) => createHTML("td", { text: formatNumber(number, digits) })),
  ]));
  const head = createHTML("tr", {}, [
    createHTML("td"),
    ...rows[0].map((_, c) => createHTML("th", { scope: "col", text: String(c + 1) })),
  ]);
  return createHTML("table", {}, [
    createHTML("caption", { class: "visually-hidden", text: `The ${shape} numbers, rows and columns from 1` }),
    createHTML("thead", {}, [head]),
    createHTML("tbody", {}, body),
  ]);
}
