// Gradient flow: |dL/dh_t| over t, and the k × t heat map of the size of every chain-rule term of
// one parameter (a 1 × T strip for many-to-one), on a log colour scale between the server's
// smallest and largest size. A cell of the session's own epoch opens its term in the backward
// view; in a what-if (another W_h scale) the terms are hypothetical, so cells only show numbers.

import { createHTML, createSVG } from "./svg.js";
import { formatNumber } from "./format.js";
import { renderLogChart } from "./logchart.js";

const LIGHT = [247, 251, 255];
const DARK = [8, 48, 107];
const LARGEST_SIDE = 420; // px

/** A sequential blue for `size` on a log scale from range[0] (light) to range[1] (dark). */
export function sizeColour(size, range) {
  if (size === null) return null;
  if (!range || size <= 0) return `rgb(${LIGHT.join(", ")})`;
  const [low, high] = range.map(Math.log10);
  const share = high > low ? Math.min(1, Math.max(0, (Math.log10(size) - low) / (high - low))) : 1;
  const mix = LIGHT.map((channel, i) => Math.round(channel + (DARK[i] - channel) * share));
  return `rgb(${mix.join(", ")})`;
}

/** Draw `flow` (GET .../flow) into the chart and the heat map; openTerm(id) on a cell click. */
export function renderFlow({ chart, heatmap }, flow, { openTerm, clickable }) {
  renderLogChart(chart, flow.state_grad_norms.map((value, index) => ({ x: index + 1, value })), {
    label: "|dL/dh_t| per time step t", xName: "t",
  });
  heatmap.replaceChildren(termGrid(flow, { openTerm, clickable }), colourScale(flow.size_range));
}

function termGrid(flow, { openTerm, clickable }) {
  const T = flow.state_grad_norms.length;
  const rows = flow.ks.length;
  const cell = Math.max(3, Math.min(22, Math.floor(LARGEST_SIDE / Math.max(T, rows))));
  const left = 44;
  const top = 4;
  const grid = createSVG("svg", {
    class: "flow-grid",
    width: left + T * cell,
    height: top + rows * cell + 22,
    role: "group",
    "aria-label": `Sizes of the terms of dL/d${flow.param}: rows are the loss step k, columns the step t where ${flow.param} is used`,
  });
  flow.ks.forEach((k, r) => {
    grid.append(createSVG("text", { x: left - 6, y: top + r * cell + cell * 0.75, class: "chart-tick end", text: `k=${k}` }));
    flow.sizes[r].forEach((size, c) => {
      const t = c + 1;
      const id = `${flow.param}:${k}:${t}`;
      const dropped = flow.dropped_sizes?.[r]?.[c] ?? null;
      if (dropped !== null) return grid.append(droppedCell(id, dropped, { x: left + c * cell, y: top + r * cell, cell }));
      const colour = sizeColour(size, flow.size_range);
      const text = size === null ? `no term (${flow.param}, k = ${k}, t = ${t}) yet` : `term ${id}: size ${formatNumber(size)}`;
      const open = clickable && size !== null;
      const rect = createSVG("rect", {
        x: left + c * cell, y: top + r * cell, width: cell, height: cell,
        fill: colour ?? "none",
        class: `flow-cell${size === null ? " empty" : ""}${open ? " opens" : ""}`,
        "data-term": id, "data-k": k, "data-t": t, "data-size": size === null ? "" : String(size),
        tabindex: open ? 0 : null, role: open ? "button" : null, "aria-label": open ? `Open ${text}` : null,
      }, [createSVG("title", { text })]);
      if (open) {
        rect.addEventListener("click", () => openTerm(id));
        rect.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); openTerm(id); }
        });
      }
      grid.append(rect);
    });
  });
  const bottom = top + rows * cell + 16;
  grid.append(
    createSVG("text", { x: left, y: bottom, class: "chart-tick", text: "t = 1" }),
    createSVG("text", { x: left + T * cell, y: bottom, class: "chart-tick end", text: `t = ${T}` }),
  );
  return createHTML("div", { class: "flow-grid-scroll" }, [grid]);
}

/** A term the truncation window drops: greyed, with its size (from a full pass) in its title. */
function droppedCell(id, size, { x, y, cell }) {
  return createSVG("rect", {
    x, y, width: cell, height: cell, class: "flow-cell dropped", "data-term": id, "data-dropped-size": String(size),
  }, [createSVG("title", { text: `term ${id}: dropped by the window (its size would be ${formatNumber(size)})` })]);
}

function colourScale(range) {
  if (!range) return createHTML("p", { class: "note flow-scale", text: "No term computed yet: take backward steps." });
  const steps = [0, 0.25, 0.5, 0.75, 1].map((share) => Math.pow(10, Math.log10(range[0]) + share * (Math.log10(range[1]) - Math.log10(range[0]))));
  return createHTML("p", { class: "flow-scale" }, [
    createHTML("span", { class: "flow-scale-end", text: formatNumber(range[0]) }),
    ...steps.map((size) => createHTML("span", { class: "flow-swatch", style: { background: sizeColour(size, range) } })),
    createHTML("span", { class: "flow-scale-end", text: formatNumber(range[1]) }),
    createHTML("span", { class: "note", text: " term size (log scale)" }),
  ]);
}
