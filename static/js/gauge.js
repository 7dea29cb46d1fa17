// The regime gauge: |∏ ∂h_j/∂h_{j−1}| against k − t (log scale) from the last loss step, beside
// σ_max and the spectral radius, γ, the measured rate per step, and the server's sentence.

import { createHTML } from "./svg.js";
import { formatNumber } from "./format.js";
import { renderLogChart } from "./logchart.js";

/** Draw the gauge (GET .../flow -> gauge) into its chart, its numbers and its sentence. */
export function renderGauge({ chart, numbers, sentence }, gauge) {
  renderLogChart(chart, gauge.distances.map((m, index) => ({ x: m, value: gauge.norms[index] })), {
    label: `|∂s_${gauge.k}/∂s_(${gauge.k} − m)| against the distance m = k − t`, xName: "k − t", reference: 1,
  });
  sentence.textContent = gauge.sentence;
  sentence.dataset.regime = gauge.regime;
  // A GRU's or LSTM's state Jacobian changes with j: the server's numbers are the largest over
  // the steps it names (spectrum_steps), and the labels say so.
  const steps = gauge.spectrum_steps ?? [];
  const of = gauge.gamma === null ? "∂s_j/∂s_(j−1)" : gauge.matrix;
  const over = gauge.gamma !== null || !steps.length ? ""
    : steps.length === 1 ? `, j = ${steps[0]}` : `, largest over j = ${steps[0]}..${steps.at(-1)}`;
  const rows = [
    [`σ_max(${of})${over}`, gauge.sigma_max],
    [`spectral radius ρ(${of})${over}`, gauge.spectral_radius],
    ...(gauge.gamma === null ? [] : [["γ = max f′", gauge.gamma], ["σ_max · γ", gauge.bound]]),
    ["measured rate per step", gauge.rate],
  ];
  numbers.replaceChildren(...rows.flatMap(([name, value]) => [
    createHTML("dt", { text: name }),
    createHTML("dd", { text: formatNumber(value), "data-value": value === null ? "" : String(value) }),
  ]));
}
