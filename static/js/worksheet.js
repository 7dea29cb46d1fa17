// The printable worksheet: the whole derivation of the link's epoch laid out as the explorer
// shows it (each forward step, each chain-rule term with its factors, the update), from the
// address (address.js); ?blanks=1 leaves the results blank for students to fill in.

import { api } from "./api.js";
import { readLink } from "./address.js";
import { linkScenario } from "./links.js";
import { derivation } from "./export.js";
import { formatNumber } from "./format.js";
import { createHTML } from "./svg.js";

const blanks = new URL(window.location.href).searchParams.get("blanks") === "1";
const main = document.getElementById("worksheet");

/** A number or an array as the page writes it; a blank line to write on in the variant. */
function shown(value, answer = false) {
  if (answer && blanks) return createHTML("span", { class: "blank", "aria-label": "to fill in", text: " " });
  const text = (v) => (Array.isArray(v) ? `[${v.map(text).join(", ")}]` : formatNumber(v));
  return createHTML("span", { class: "number", text: text(value) });
}

const row = (label, value, answer) => createHTML("tr", {}, [
  createHTML("th", { scope: "row", text: label }),
  createHTML("td", {}, [shown(value, answer)]),
]);

const table = (rows) => createHTML("table", {}, [createHTML("tbody", {}, rows)]);

function heading(data) {
  const { config } = data.scenario;
  const about = `${config.cell} cell, d = ${config.input_size}, H = ${config.hidden_size}, ` +
    `K = ${config.output_size}, ${config.output.replace("_", " + ")}, η = ${config.learning_rate}, ` +
    `optimiser ${config.optimizer.name}, T = ${data.forward.length}`;
  return [
    createHTML("h1", { text: `BPTT worksheet: epoch ${data.epoch}${blanks ? " (fill in the blanks)" : ""}` }),
    createHTML("p", { class: "about", text: about }),
    createHTML("h2", { text: "Weights at the start of the epoch" }),
    table(Object.entries(data.scenario.params).map(([name, value]) => row(name, value, false))),
  ];
}

function forwardSection(data) {
  const steps = data.forward.map((record) => createHTML("section", { class: "step", "data-t": record.t }, [
    createHTML("h3", { text: `Forward step t = ${record.t}` }),
    table([
      row(`x_${record.t}`, record.x, false),
      row(`h_${record.t - 1}`, record.h_prev, record.t > 1), // the previous step's answer
      row(`h_${record.t}`, record.h, true),
      ...(record.yhat === null ? [] : [row(`ŷ_${record.t}`, record.yhat, true), row(`ℓ_${record.t}`, record.loss, true)]),
    ]),
  ]));
  return [createHTML("h2", { text: "Forward pass" }), ...steps, createHTML("p", {}, ["L = ", shown(data.loss, true)])];
}

function termBlock(term) {
  const factors = (term.factors ?? []).map((factor) => row(factor.symbol, factor.value, false));
  return createHTML("div", { class: "term", "data-term": term.id }, [
    createHTML("h4", { text: `Term ${term.id} (loss step k = ${term.k}, through t = ${term.t})` }),
    factors.length ? table(factors) : createHTML("p", { text: "(its factors: GET /api/sessions/{id}/terms/" + term.id + ")" }),
    createHTML("p", { class: "product" }, ["product of the factors = ", shown(term.value, true)]),
  ]);
}

function backwardSection(data) {
  const steps = data.backward.map((record) => createHTML("section", { class: "step", "data-t": record.t }, [
    createHTML("h3", { text: `Backward step t = ${record.t}` }),
    table([row(`∂L/∂h_${record.t}`, record.dh, true), row(`δ_${record.t}`, record.delta, true)]),
    ...record.terms.map(termBlock),
  ]));
  return [createHTML("h2", { text: "Backward pass" }), ...steps];
}

function updateSection(data) {
  const update = data.update;
  const rows = Object.keys(update.params_new).map((name) => createHTML("tr", {}, [
    createHTML("th", { scope: "row", text: name }),
    createHTML("td", {}, [shown(update.params_old[name])]),
    createHTML("td", {}, [shown(update.grads_applied[name])]),
    createHTML("td", {}, [shown(update.params_new[name], true)]),
  ]));
  const head = createHTML("tr", {}, ["parameter", "w_old", "dL/dw", "w_new"].map((text) => createHTML("th", { text })));
  return [
    createHTML("h2", { text: "Update" }),
    createHTML("p", { text: `w_new = w_old − η · dL/dw (${update.optimizer}; η = ${data.scenario.config.learning_rate})` }),
    createHTML("table", {}, [createHTML("thead", {}, [head]), createHTML("tbody", {}, rows)]),
    createHTML("p", {}, ["loss before ", shown(update.loss_before), ", after ", shown(update.loss_after, true)]),
  ];
}

async function start() {
  try {
    const presets = await api.listPresets();
    const link = readLink();
    if (!link.view) link.view = "e1-start";
    const { body, T } = await linkScenario(link, Array.isArray(presets) ? presets : presets.presets ?? []);
    const data = await derivation(body, T);
    main.replaceChildren(...heading(data), ...forwardSection(data), ...backwardSection(data), ...updateSection(data));
  } catch (error) {
    main.replaceChildren(createHTML("p", { class: "error", role: "alert", text: `The worksheet could not be made: ${error.message}` }));
  }
  document.body.dataset.ready = "1";
}

document.getElementById("print-button").addEventListener("click", () => window.print());
start();
