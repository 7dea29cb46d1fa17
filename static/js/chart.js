// A small SVG line chart of the loss per completed epoch (state.loss_history).
// A loss the server could not compute (null: it overflowed) is a gap with a marker, never a line.
// In the update's view the chart marks that update: L before on its epoch's point, and L after
// (the loss the new weights give, from the server) as a hollow point at the next epoch.

import { createSVG } from "./svg.js";
import { formatNumber } from "./format.js";

/**
 * The picture's size and its text's (px, as in .chart-tick and .chart-mark-label): presentation
 * mode draws a wider chart, as wide as its panel, with its text at 28 px, so that the tick
 * labels and "L before" / "L after" are room-sized and stay inside the panel.
 */
const SIZES = {
  normal: { width: 360, height: 150, font: 13, label: 12 },
  room: { width: 700, height: 300, font: 28, label: 28 },
};
const sizes = () => SIZES[document.body.classList.contains("present") ? "room" : "normal"];
const DIGIT_WIDTH = 0.64; // a tabular digit in DejaVu Sans / system-ui, in em
let drawn = null; // the chart last drawn and what it showed, drawn again when the mode switches
let drawnKey = null; // what the chart last drawn shows, at its size: the same is not drawn again

/** The last chart drawn again at the mode's size (after P). */
export function redrawLossChart() {
  if (drawn) renderLossChart(...drawn);
}

/** The y range to draw: the losses' range, padded when it is one value (or rounds to one). */
export function lossRange(losses) {
  let low = Math.min(...losses);
  let high = Math.max(...losses);
  const middle = (low + high) / 2;
  // At least 2% of the size either way, so the two tick labels differ at four digits.
  const least = Math.abs(middle) * 0.02 || 1;
  if (high - low < least) {
    const pad = (least - (high - low)) / 2;
    low -= pad;
    high += pad;
    if (Math.min(...losses) >= 0 && low < 0) [low, high] = [0, high - low];
  }
  return { low, high };
}

/** "epoch 2" or "epochs 2–4": runs of consecutive epochs whose loss is null. */
export function overflowRuns(lossHistory) {
  const runs = [];
  lossHistory.forEach((loss, index) => {
    if (loss !== null && Number.isFinite(loss)) return;
    const last = runs.at(-1);
    if (last && last.to === index) last.to = index + 1;
    else runs.push({ from: index + 1, to: index + 1 });
  });
  return runs.map(({ from, to }) => (from === to ? `epoch ${from}` : `epochs ${from}–${to}`));
}

export function renderLossChart(svg, lossHistory, update = null) {
  drawn = [svg, lossHistory, update];
  // Most presses change no loss: the chart drawn stays (no element made again, nothing repainted).
  const key = JSON.stringify([lossHistory, update && [update.epoch, update.loss_before, update.loss_after], sizes()]);
  if (svg === drawnKey?.svg && key === drawnKey.key) return;
  drawnKey = { svg, key };
  const { width, height, font, label } = sizes();
  const MARGIN = { right: 14, top: Math.round(0.9 * font), bottom: Math.round(2.3 * font) };
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const points = lossHistory.map((loss, index) => ({
    epoch: index + 1,
    loss: loss !== null && Number.isFinite(loss) ? loss : null,
  }));
  const finiteLoss = (loss) => (loss !== null && loss !== undefined && Number.isFinite(loss) ? loss : null);
  const marked = update ? {
    before: { epoch: update.epoch, loss: finiteLoss(update.loss_before) },
    after: { epoch: update.epoch + 1, loss: finiteLoss(update.loss_after) },
  } : null;
  const finite = [...points, ...(marked ? [marked.before, marked.after] : [])].filter((p) => p.loss !== null);
  const overflowed = overflowRuns(lossHistory);
  const note = overflowed.length ? `${overflowed.join(", ")}: overflowed` : "";
  const listed = points.map((p) => `epoch ${p.epoch} ${p.loss === null ? "overflowed" : formatNumber(p.loss)}`);
  const told = marked ? `; the update of epoch ${marked.before.epoch}: L before ${formatNumber(update.loss_before)}, `
    + `L after ${formatNumber(update.loss_after)} (epoch ${marked.after.epoch}'s weights)` : "";
  svg.setAttribute("aria-label", points.length
    ? `Loss per epoch: ${listed.join(", ")}${told}`
    : "Loss per epoch: no epoch completed yet");
  if (!points.length) {
    svg.append(createSVG("text", { x: width / 2, y: height / 2, class: "chart-empty", text: "No epoch completed yet" }));
    return;
  }
  const { low, high } = finite.length ? lossRange(finite.map((p) => p.loss)) : { low: 0, high: 1 };
  const ticks = finite.length ? [formatNumber(high), formatNumber(low)] : [];
  // Room on the left for the longest tick label ("1.998e23", "-1.234e-12").
  const left = Math.max(36, Math.ceil(Math.max(0, ...ticks.map((t) => t.length)) * DIGIT_WIDTH * font) + 12);
  const bottom = height - MARGIN.bottom - (note ? Math.round(1.2 * font) : 0);
  const inset = 8; // keeps the first and last points off the axis and the edge
  const plotWidth = width - left - MARGIN.right - 2 * inset;
  // One epoch sits in the middle; more spread from the left edge to the right edge.
  const reaches = marked && marked.after.loss !== null ? marked.after.epoch : 0; // L after's epoch
  const count = Math.max(points.length, reaches);
  const x = (epoch) => left + inset + (count === 1 ? 0.5 : (epoch - 1) / (count - 1)) * plotWidth;
  const y = (loss) => MARGIN.top + (1 - (loss - low) / (high - low)) * (bottom - MARGIN.top);
  const marks = [
    createSVG("path", { d: `M${left},${MARGIN.top} V${bottom} H${width - MARGIN.right}`, class: "chart-axis" }),
  ];
  if (ticks.length) {
    marks.push(
      createSVG("text", { x: left - 6, y: MARGIN.top + Math.round(0.75 * font), class: "chart-tick end", text: ticks[0] }),
      createSVG("text", { x: left - 6, y: bottom, class: "chart-tick end", text: ticks[1] }),
    );
  }
  const xLabelY = bottom + Math.round(1.3 * font);
  if (count === 1) {
    marks.push(createSVG("text", { x: x(1), y: xLabelY, class: "chart-tick middle", text: "epoch 1" }));
  } else {
    marks.push(
      createSVG("text", { x: x(1), y: xLabelY, class: "chart-tick", text: "epoch 1" }),
      createSVG("text", { x: x(count) + inset, y: xLabelY, class: "chart-tick end", text: `epoch ${count}` }),
    );
  }
  // The line: one polyline per run of finite losses, so an overflow leaves a gap.
  for (const run of finiteRuns(points)) {
    if (run.length > 1) {
      marks.push(createSVG("polyline", { points: run.map((p) => `${x(p.epoch)},${y(p.loss)}`).join(" "), class: "chart-line" }));
    }
  }
  for (const p of points) {
    if (p.loss === null) {
      marks.push(createSVG("g", { class: "chart-overflow" }, [
        createSVG("line", { x1: x(p.epoch), y1: MARGIN.top, x2: x(p.epoch), y2: bottom, class: "chart-gap" }),
        createSVG("text", { x: x(p.epoch), y: MARGIN.top + 4, class: "chart-cross", text: "×" }),
        createSVG("title", { text: `epoch ${p.epoch}: overflowed` }),
      ]));
    } else {
      marks.push(createSVG("circle", { cx: x(p.epoch), cy: y(p.loss), r: 3.5, class: "chart-point" }, [
        createSVG("title", { text: `epoch ${p.epoch}: loss ${formatNumber(p.loss)}` }),
      ]));
    }
  }
  if (marked) marks.push(...updateMarks(marked, x, y, { width: width, label }));
  if (note) marks.push(createSVG("text", { x: left, y: height - 4, class: "chart-note", text: note }));
  svg.append(...marks);
}

/**
 * The update in view: a ring on L before, a hollow point for L after, each labelled: above its
 * point (below it near the top), starting at it in the chart's left third, ending at it in the
 * right third, so that the label stays inside the picture at any text size.
 */
function updateMarks({ before, after }, x, y, { width, label: font }) {
  const marks = [];
  for (const [p, which, r] of [[before, "before", 6.5], [after, "after", 4.5]]) {
    if (p.loss === null) continue;
    const label = `L ${which}`;
    marks.push(createSVG("g", { class: `chart-update chart-${which}`, "data-loss": JSON.stringify(p.loss) }, [
      createSVG("circle", { cx: x(p.epoch), cy: y(p.loss), r, class: `chart-mark chart-mark-${which}` }),
      createSVG("text", {
        x: x(p.epoch), y: y(p.loss) < font + 12 ? y(p.loss) + font + 6 : y(p.loss) - 9, text: label,
        class: `chart-mark-label ${anchorAt(x(p.epoch), width)}`,
      }),
      createSVG("title", { text: `epoch ${p.epoch}: ${label} the update, ${formatNumber(p.loss)}` }),
    ]));
  }
  return marks;
}

/** A label's anchor at x: its start there in the left third, its end in the right, else its middle. */
const anchorAt = (x, width) => (x < width / 3 ? "start" : x > (2 * width) / 3 ? "end" : "middle");

function finiteRuns(points) {
  const runs = [[]];
  for (const p of points) {
    if (p.loss === null) runs.push([]);
    else runs.at(-1).push(p);
  }
  return runs.filter((run) => run.length);
}
