// The update view: theta_new = theta_old - eta * dL/dtheta for every parameter, with the
// server's numbers. Each row wraps between its parts (never inside a matrix); big values are
// heat maps.

import { createHTML } from "./svg.js";
import { digitsForUpdate, digitsToShowChange, formatNumber } from "./format.js";
import { appendDiverged, typeset, valueElement } from "./expression.js";

export function renderUpdate(panel, record) {
  const eta = formatNumber(record.learning_rate);
  panel.replaceChildren(createHTML("h2", { text: `Update, epoch ${record.epoch}` }));
  const grads = record.clipped ? record.grads_applied : record.grads;
  if (record.clipped) {
    panel.append(createHTML("p", { class: "note", text: `Gradient norm ${formatNumber(record.grad_norm)} clipped to ${formatNumber(record.clip_norm)}.` }));
  }
  // The rule once, then one row per parameter: [θ_new = old] [− η × grad] [= new], each part
  // kept whole, so a row wraps between parts and never leaves "=" at the end of a line.
  panel.append(typeset(`\\theta^{\\text{new}} = \\theta^{\\text{old}} - \\eta\\,\\frac{\\partial L}{\\partial \\theta}, \\quad \\eta = ${eta}`, { display: true, className: "math update-rule" }));
  const list = createHTML("div", { class: "updates" });
  const size = "compact"; // three values a row: smaller cells keep a row on one line
  for (const name of Object.keys(record.params_new)) {
    // Old and new with one count of digits, enough that old − η·grad visibly equals new.
    const digits = digitsForUpdate(record.params_old[name], record.params_new[name]);
    const newValue = valueElement(record.params_new[name], { size, digits, name: `new ${name}`, className: "param-new" });
    newValue.dataset.param = name;
    const part = (...children) => createHTML("span", { class: "update-part" }, children);
    list.append(createHTML("div", { class: "update-row", "data-param": name }, [
      part(
        typeset(`${name}^{\\text{new}} =`),
        valueElement(record.params_old[name], { size, digits, name: `old ${name}`, className: "param-old" }),
      ),
      part(
        typeset(`{} - ${eta} \\times {}`),
        valueElement(grads[name], { size, paren: true, name: `dL/d${name}`, className: "param-grad" }),
      ),
      part(typeset("="), newValue),
    ]));
  }
  const lossDigits = digitsToShowChange([record.loss_before], [record.loss_after]);
  panel.append(
    list,
    createHTML("p", { class: "loss-change" }, [
      `Loss before: ${formatNumber(record.loss_before, lossDigits)}, after: `,
      createHTML("strong", { text: formatNumber(record.loss_after, lossDigits) }),
    ]),
  );
  appendDiverged(panel, record.diverged);
}
