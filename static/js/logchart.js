// A small SVG chart of positive numbers on a log scale (|dL/dh_t| over t; the Jacobian
// product's size over k − t). Each point keeps the server's number in data-value; the page
// only places it (log10 for the position) and formats it.

import { createSVG } from "./svg.js";
import { formatNumber, powerOfTen } from "./format.js";

const WIDTH = 360;
const HEIGHT = 170;
const MARGIN = { left: 64, right: 12, top: 12, bottom: 34 };

/**
 * points: [{x, value}] (value null: not computed or overflowed; 0: drawn on the axis).
 * options: {label (for the aria-label), xName ("t", "k − t"), reference (a value drawn as a
 * dashed line, e.g. 1)}.
 */
export function renderLogChart(svg, points, { label, xName, reference = null }) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const shown = points.filter((p) => p.value !== null && p.value > 0 && Number.isFinite(p.value));
  const listed = points.map((p) => `${xName} = ${p.x}: ${formatNumber(p.value)}`).join(", ");
  svg.setAttribute("aria-label", `${label}${points.length ? `: ${listed}` : ": nothing computed yet"}`);
  if (!shown.length) {
    svg.append(createSVG("text", { x: WIDTH / 2, y: HEIGHT / 2, class: "chart-empty", text: "Nothing computed yet" }));
    return;
  }
  const logs = shown.map((p) => Math.log10(p.value));
  if (reference !== null) logs.push(Math.log10(reference));
  let low = Math.floor(Math.min(...logs));
  let high = Math.ceil(Math.max(...logs));
  if (high === low) [low, high] = [low - 1, high + 1];
  const xs = points.map((p) => p.x);
  const [first, last] = [Math.min(...xs), Math.max(...xs)];
  const bottom = HEIGHT - MARGIN.bottom;
  const x = (value) => MARGIN.left + (last === first ? 0.5 : (value - first) / (last - first)) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (value) => MARGIN.top + (1 - (Math.log10(value) - low) / (high - low)) * (bottom - MARGIN.top);
  const marks = [
    createSVG("path", { d: `M${MARGIN.left},${MARGIN.top} V${bottom} H${WIDTH - MARGIN.right}`, class: "chart-axis" }),
    createSVG("text", { x: MARGIN.left - 6, y: MARGIN.top + 10, class: "chart-tick end", text: powerOfTen(high) }),
    createSVG("text", { x: MARGIN.left - 6, y: bottom, class: "chart-tick end", text: powerOfTen(low) }),
    createSVG("text", { x: MARGIN.left, y: bottom + 17, class: "chart-tick", text: `${xName} = ${first}` }),
    createSVG("text", { x: WIDTH - MARGIN.right, y: bottom + 17, class: "chart-tick end", text: `${xName} = ${last}` }),
  ];
  if (reference !== null) {
    marks.push(createSVG("line", {
      x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(reference), y2: y(reference), class: "chart-reference",
    }));
  }
  if (shown.length > 1) {
    marks.push(createSVG("polyline", { points: shown.map((p) => `${x(p.x)},${y(p.value)}`).join(" "), class: "chart-line" }));
  }
  for (const p of points) {
    const known = p.value !== null && Number.isFinite(p.value);
    const cy = known && p.value > 0 ? y(p.value) : bottom;
    marks.push(createSVG("circle", {
      cx: x(p.x), cy, r: known ? 3.5 : 0, class: "chart-point log-point", "data-x": p.x, "data-value": known ? String(p.value) : "",
    }, [createSVG("title", { text: `${xName} = ${p.x}: ${formatNumber(p.value)}` })]));
  }
  svg.append(...marks);
}
