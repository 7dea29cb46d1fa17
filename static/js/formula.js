// The formula panel: the step's equation typeset with the server's numbers substituted.

import katex from "../vendor/katex/katex.mjs";
import { createHTML } from "./svg.js";
import { flatten, formatNumber, isSingle, latexValue, shapeOf } from "./format.js";

// Okabe–Ito colours for the factors of a term, in order (readable on white).
export const FACTOR_COLOURS = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
const ACTIVATION_LATEX = { tanh: "\\tanh", sigmoid: "\\sigma", relu: "\\operatorname{relu}", identity: "" };
const OUTPUT_LATEX = { sigmoid_bce: "\\sigma", softmax_ce: "\\operatorname{softmax}", identity_mse: "" };

/** A KaTeX render of `latex` into a new element (trust off: colours use \textcolor). */
export function typeset(latex, { display = false, className = "math" } = {}) {
  const element = createHTML("span", { class: className });
  katex.render(latex, element, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
  return element;
}

/** A value: a number, or a small matrix in KaTeX; large ones as a shape. data-value keeps the JSON. */
export function valueElement(value) {
  const element = typeset(latexValue(value), { className: "math value" });
  element.dataset.value = JSON.stringify(value);
  element.title = isSingle(value) ? formatNumber(flatten(value)[0]) : `shape ${shapeOf(value).join("×")}`;
  return element;
}

function applied(name, argument) {
  return name ? `${name}\\left(${argument}\\right)` : argument;
}

/** Forward step t: a_t = W_x x_t + W_h h_{t-1} + b, h_t = f(a_t), and the output if t is in S. */
export function renderForward(panel, record, params, config) {
  const t = record.t;
  const f = ACTIVATION_LATEX[config.activation];
  const symbolic = `h_{${t}} = ${applied(f, `W_x\\,x_{${t}} + W_h\\,h_{${t - 1}} + b`)}`;
  const product = (left, right) => `${latexValue(left)} \\cdot ${latexValue(right)}`;
  const numbers = `= ${applied(f, `${product(params.W_x, record.x)} + ${product(params.W_h, record.h_prev)} + ${latexValue(params.b)}`)}`;
  const result = `= ${applied(f, latexValue(record.a))} = ${latexValue(record.h)}`;
  panel.replaceChildren(
    createHTML("h2", { text: `Forward step t = ${t}` }),
    typeset(symbolic, { display: true }),
    typeset(numbers, { display: true }),
    typeset(result, { display: true, className: "math result" }),
  );
  if (record.loss !== null && record.loss !== undefined) {
    const g = OUTPUT_LATEX[config.output];
    const bias = config.output_bias ? " + b_y" : "";
    panel.append(
      typeset(`\\hat y_{${t}} = ${applied(g, `W_y\\,h_{${t}}${bias}`)} = ${applied(g, latexValue(record.z))} = ${latexValue(record.yhat)}`, { display: true }),
      typeset(`\\ell_{${t}} = \\ell(\\hat y_{${t}}, y_{${t}}) = ${latexValue(record.loss)} \\quad \\text{with } y_{${t}} = ${latexValue(record.y)}`, { display: true }),
    );
  }
  panel.append(createHTML("p", { class: "note", text: `Loss so far: ${formatNumber(record.loss_so_far)}` }));
  appendDiverged(panel, record.diverged);
}

/** A factor's value; large recurrent factors come as null and live in the record's jacobian. */
function factorValue(factor, jacobianAt) {
  if (factor.value === null && factor.kind === "recurrent") return jacobianAt(factor.step);
  return factor.value;
}

/** One chain-rule term: each factor in its edge's colour, its value beneath, then the product. */
export function renderTerm(panel, term, context) {
  const { index, count, t, jacobianAt, runningSoFar, colourOf } = context;
  const factorRow = createHTML("div", { class: "factors", "data-term": term.id });
  term.factors.forEach((factor, position) => {
    const colour = colourOf(factor.edge);
    const isDirect = factor.kind === "direct";
    const column = createHTML("div", {
      class: `factor factor-${factor.kind}`,
      "data-edge": factor.edge,
      style: `--factor-colour: ${colour}`,
    }, [
      typeset(`\\textcolor{${colour}}{${factor.latex}}`, { className: "math symbol" }),
      typeset(`= ${factor.formula}`, { className: "math factor-formula" }),
      valueElement(factorValue(factor, jacobianAt)),
      isDirect ? createHTML("span", { class: "direct-label", text: directLabel(factor, term) }) : null,
    ]);
    if (position > 0) factorRow.append(createHTML("span", { class: "times", text: "×", "aria-hidden": "true" }));
    factorRow.append(column);
  });
  const product = createHTML("div", { class: "product" }, [
    typeset("=", { className: "math" }),
    Object.assign(valueElement(term.value), { id: "term-value" }),
  ]);
  factorRow.append(product);
  const heading = `Backward step t = ${t}: term ${index + 1} of ${count}`;
  const what = `∂L/∂${term.param} through ℓ_${term.k}, parameter used at t = ${term.t}` +
    (term.distance ? ` (${term.distance} step${term.distance > 1 ? "s" : ""} back)` : "");
  panel.replaceChildren(
    createHTML("h2", { text: heading }),
    createHTML("p", { class: "term-what", text: what }),
    factorRow,
    renderRunning(term, runningSoFar),
  );
}

function directLabel(factor, term) {
  const held = factor.edge.endsWith(`h_${term.t}`) ? `h_${term.t - 1}` : `h_${term.k}`;
  return `direct partial ∂⁺: ${held} held fixed`;
}

/** dL/dθ so far for every parameter; the current term's parameter shows old + term = new. */
function renderRunning(term, runningSoFar) {
  const list = createHTML("div", { class: "running" }, [
    createHTML("p", { class: "note", text: "Total derivatives so far (each the sum of its terms up to this one):" }),
  ]);
  for (const [param, running] of runningSoFar) {
    const isCurrent = param === term.param;
    const shown = running === undefined
      ? createHTML("span", { class: "note", text: "no term yet" })
      : Object.assign(valueElement(running), { className: "math value running-value" });
    list.append(createHTML("div", {
      class: isCurrent ? "running-item current" : "running-item",
      "data-param": param,
      title: isCurrent ? "this term was just added" : null,
    }, [typeset(`\\frac{\\partial L}{\\partial ${param}} =`), shown]));
  }
  return list;
}

/** A backward step that completes no term (e.g. all cut by truncation): the recursion's values. */
export function renderBackwardSummary(panel, record) {
  panel.replaceChildren(
    createHTML("h2", { text: `Backward step t = ${record.t}` }),
    createHTML("p", { text: "This step completes no chain-rule term." }),
    typeset(`\\frac{\\partial L}{\\partial h_{${record.t}}} = ${latexValue(record.dh)}, \\quad \\delta_{${record.t}} = ${latexValue(record.delta)}`, { display: true }),
  );
  appendDiverged(panel, record.diverged);
}

/** The update: theta_new = theta_old - eta * dL/dtheta for every parameter, with numbers. */
export function renderUpdate(panel, record) {
  const eta = formatNumber(record.learning_rate);
  panel.replaceChildren(createHTML("h2", { text: `Update, epoch ${record.epoch}` }));
  const grads = record.clipped ? record.grads_applied : record.grads;
  if (record.clipped) {
    panel.append(createHTML("p", { class: "note", text: `Gradient norm ${formatNumber(record.grad_norm)} clipped to ${formatNumber(record.clip_norm)}.` }));
  }
  const list = createHTML("div", { class: "updates" });
  for (const name of Object.keys(record.params_new)) {
    const latex = `${name}^{\\text{new}} = ${name}^{\\text{old}} - \\eta\\,\\frac{\\partial L}{\\partial ${name}}` +
      ` = ${latexValue(record.params_old[name])} - ${eta} \\times ${latexValue(grads[name])}`;
    const newValue = Object.assign(valueElement(record.params_new[name]), { className: "math value param-new" });
    newValue.dataset.param = name;
    list.append(createHTML("div", { class: "update-row", "data-param": name }, [
      typeset(latex), typeset("="), newValue,
    ]));
  }
  panel.append(
    list,
    createHTML("p", { class: "loss-change" }, [
      `Loss before: ${formatNumber(record.loss_before)}, after: `,
      createHTML("strong", { text: formatNumber(record.loss_after) }),
    ]),
  );
  appendDiverged(panel, record.diverged);
}

/** An overflow, as the server's sentence (never "NaN"). */
export function appendDiverged(panel, diverged) {
  if (diverged) panel.append(createHTML("p", { class: "diverged", role: "alert", text: diverged.message }));
}
