// A small SVG line chart of the loss per completed epoch (state.loss_history).

import { createSVG } from "./svg.js";
import { formatNumber } from "./format.js";

const WIDTH = 360;
const HEIGHT = 150;
const MARGIN = { left: 56, right: 12, top: 12, bottom: 28 };

export function renderLossChart(svg, lossHistory) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const finite = lossHistory.map((loss, index) => ({ epoch: index + 1, loss })).filter(
    (point) => point.loss !== null && Number.isFinite(point.loss),
  );
  svg.setAttribute("aria-label", finite.length
    ? `Loss per epoch: ${finite.map((p) => `epoch ${p.epoch} ${formatNumber(p.loss)}`).join(", ")}`
    : "Loss per epoch: no epoch completed yet");
  if (!finite.length) {
    svg.append(createSVG("text", { x: WIDTH / 2, y: HEIGHT / 2, class: "chart-empty", text: "No epoch completed yet" }));
    return;
  }
  const losses = finite.map((p) => p.loss);
  const low = Math.min(...losses);
  const high = Math.max(...losses);
  const span = high - low || Math.abs(high) || 1;
  const lastEpoch = Math.max(2, lossHistory.length);
  const x = (epoch) => MARGIN.left + ((epoch - 1) / (lastEpoch - 1)) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (loss) => MARGIN.top + (1 - (loss - low) / span) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const axis = `M${MARGIN.left},${MARGIN.top} V${HEIGHT - MARGIN.bottom} H${WIDTH - MARGIN.right}`;
  svg.append(
    createSVG("path", { d: axis, class: "chart-axis" }),
    createSVG("text", { x: MARGIN.left - 6, y: MARGIN.top + 10, class: "chart-tick end", text: formatNumber(high) }),
    createSVG("text", { x: MARGIN.left - 6, y: HEIGHT - MARGIN.bottom, class: "chart-tick end", text: formatNumber(low) }),
    createSVG("text", { x: WIDTH - MARGIN.right, y: HEIGHT - 6, class: "chart-tick end", text: `epoch ${lossHistory.length}` }),
    createSVG("text", { x: MARGIN.left, y: HEIGHT - 6, class: "chart-tick", text: "epoch 1" }),
    createSVG("polyline", {
      points: finite.map((p) => `${x(p.epoch)},${y(p.loss)}`).join(" "),
      class: "chart-line",
    }),
    ...finite.map((p) => createSVG("circle", { cx: x(p.epoch), cy: y(p.loss), r: 3.5, class: "chart-point" }, [
      createSVG("title", { text: `epoch ${p.epoch}: loss ${formatNumber(p.loss)}` }),
    ])),
  );
}
