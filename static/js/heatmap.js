// A value too big to typeset, drawn as a grid of cells in the graph's diverging colours.
// Every number stays reachable: a <title> per cell (hover), an aria-label with the shape and the
// first numbers (the grid takes focus), and the shape beside it opens (<details>) to a table of
// all of them.

import { createHTML, createSVG } from "./svg.js";
import { divergingColour, flatten, formatNumber, largestMagnitude, shapeOf } from "./format.js";

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

/** The grid with its shape beside it and a table of all numbers; data-value keeps the JSON. */
export function heatmap(value, { size = "normal", name = "", digits = 4 } = {}) {
  const rows = gridRows(value);
  const columns = rows[0]?.length ?? 0;
  const longest = Math.max(rows.length, columns, 1);
  const cell = Math.max(3, Math.min(CELL[size], Math.floor(LARGEST_SIDE[size] / longest)));
  const numbers = flatten(value);
  const scale = largestMagnitude(numbers);
  const shape = shapeText(value);
  const first = numbers.slice(0, SPOKEN).map((number) => formatNumber(number, digits)).join(", ");
  const more = numbers.length > SPOKEN ? `, … (${numbers.length} numbers; all in the table “numbers”)` : "";
  const grid = createSVG("svg", {
    class: "heatmap-grid",
    width: columns * cell,
    height: rows.length * cell,
    viewBox: `0 0 ${columns * cell} ${rows.length * cell}`,
    tabindex: 0,
    role: "img",
    "aria-label": `${name ? `${name}: ` : ""}${shape} ${rows.length > 1 && columns > 1 ? "matrix" : "vector"}, reading row by row: ${first}${more}`,
  });
  rows.forEach((row, r) => row.forEach((number, c) => {
    grid.append(createSVG("rect", {
      x: c * cell, y: r * cell, width: cell, height: cell,
      fill: divergingColour(number, scale),
      class: number === null ? "heatmap-cell not-finite" : "heatmap-cell",
      "data-row": r,
      "data-column": c,
    }, [createSVG("title", { text: formatNumber(number, digits) })]));
  }));
  const element = createHTML("span", { class: `heatmap heatmap-${size}` }, [
    grid,
    numberTable(rows, shape, numbers.length, digits),
  ]);
  element.dataset.value = JSON.stringify(value);
  return element;
}

/** The shape beside the grid, opening to all the numbers, row by row, in a table. */
function numberTable(rows, shape, count, digits) {
  const body = rows.map((row, r) => createHTML("tr", {}, [
    createHTML("th", { scope: "row", text: String(r + 1) }),
    ...row.map((number) => createHTML("td", { text: formatNumber(number, digits) })),
  ]));
  const head = createHTML("tr", {}, [
    createHTML("td"),
    ...rows[0].map((_, c) => createHTML("th", { scope: "col", text: String(c + 1) })),
  ]);
  return createHTML("details", { class: "heatmap-numbers" }, [
    createHTML("summary", { title: `show all ${count} numbers` }, [
      createHTML("span", { class: "shape", text: `(${shape})` }),
      createHTML("span", { class: "visually-hidden", text: ` numbers: show all ${count}` }),
    ]),
    createHTML("div", { class: "heatmap-table" }, [createHTML("table", {}, [
      createHTML("caption", { class: "visually-hidden", text: `The ${shape} numbers, rows and columns from 1` }),
      createHTML("thead", {}, [head]),
      createHTML("tbody", {}, body),
    ])]),
  ]);
}
