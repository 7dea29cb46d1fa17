// The scenario editor: fill it from a session, read it back as a scenario, show the problems.
// Every message names the field as the editor labels it, with the rule ("Learning rate η:
// must be greater than 0"); the form's own checks (numbers and their declared bounds, JSON,
// the cell's weights and every shape) run on every field at once, before any request, and
// the server's last messages, in the same words, stay beside them until it answers again.

import { boundsRule, cellWeights, dataErrors, serverItem, weightErrors, withinBounds } from "./editorcheck.js";

const SIZE_FIELDS = ["input_size", "hidden_size", "output_size"];
const NUMBER_FIELDS = [...SIZE_FIELDS, "learning_rate"];
// Plain decimal notation only: Number() would also take "0x10" (16) or "0b1".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const OPTIONAL_NUMBER_FIELDS = ["truncation", "clip_norm"];
const WHOLE_FIELDS = [...SIZE_FIELDS, "truncation", "seed"];
const SIZE_LETTERS = { input_size: "d", hidden_size: "H", output_size: "K" };
const CHOICE_FIELDS = ["cell", "activation", "output", "mode"];
const JSON_FIELDS = ["inputs", "targets", "params"];

const serverMessages = new WeakMap(); // form -> the last 422's items

/**
 * The cells and optimisers the server offers (the page's #choices: {"cells": [...],
 * "optimizers": [{"name", "fields": {hyper-parameter: default}}], "weights": {cell: [{name,
 * shape in d, H, K}]}, "bounds": {field: {gt|ge|lt|le: limit}}}), as the form's options.
 */
export function setChoices(form, choices) {
  const option = (name) => Object.assign(document.createElement("option"), { value: name, textContent: name });
  form.elements.cell.replaceChildren(...choices.cells.map(option));
  form.elements.optimizer.replaceChildren(...choices.optimizers.map((o) => option(o.name)));
  form.choices = choices;
  form.elements.optimizer.addEventListener("change", () => showOptimizerFields(form, {}));
  form.elements.cell.addEventListener("change", () => {
    const elman = form.elements.cell.value === "elman";
    form.elements.activation.disabled = !elman; // GRU and LSTM: tanh, as the equations say
    if (!elman) form.elements.activation.value = "tanh";
  });
}

/** One text field per hyper-parameter of the chosen optimiser, filled from values or defaults. */
function showOptimizerFields(form, values) {
  const chosen = form.choices?.optimizers.find((o) => o.name === form.elements.optimizer.value);
  const slot = form.querySelector("[data-fields-for='optimizer']");
  slot.replaceChildren(...Object.entries(chosen?.fields ?? {}).flatMap(([name, fallback]) => {
    const label = document.createElement("label");
    const input = Object.assign(document.createElement("input"), { name, type: "text", inputMode: "decimal" });
    input.dataset.hyper = "true";
    input.value = String(values[name] ?? fallback);
    label.append(`${name} `, input);
    const error = Object.assign(document.createElement("span"), { className: "field-error" });
    error.dataset.errorFor = name;
    return [label, error];
  }));
}

/** Put a session's scenario into the form. */
export function fillEditor(form, state) {
  const config = state.config;
  for (const name of [...NUMBER_FIELDS, ...OPTIONAL_NUMBER_FIELDS, ...CHOICE_FIELDS]) {
    form.elements[name].value = config[name] ?? "";
  }
  form.elements.output_bias.checked = Boolean(config.output_bias);
  form.elements.cell.value = config.cell ?? "elman";
  form.elements.activation.disabled = form.elements.cell.value !== "elman";
  const { name: optimizer = "sgd", ...hyper } = config.optimizer ?? {};
  form.elements.optimizer.value = optimizer;
  showOptimizerFields(form, hyper);
  form.elements.seed.value = state.seed ?? 0;
  form.elements.inputs.value = JSON.stringify(state.inputs);
  form.elements.targets.value = JSON.stringify(state.targets);
  form.elements.params.value = JSON.stringify(state.params, null, 1);
  form.dataset.sizes = sizeKey(form);
  serverMessages.delete(form);
  clearErrors(form);
  note(form, "");
}

/** Changing d, H, K or the cell empties the weights box (they no longer fit) and says so. */
export function watchEditor(form) {
  for (const name of [...SIZE_FIELDS, "cell"]) {
    form.elements[name].addEventListener("change", () => {
      if (sizeKey(form) === form.dataset.sizes || !form.elements.params.value.trim()) return;
      form.elements.params.value = "";
      const what = name === "cell" ? "The cell changed (its weights have other names)" : "The sizes changed";
      note(form, `${what}, so` + " the weights box was emptied: the weights will be drawn " +
        `from seed ${form.elements.seed.value || 0}. Paste weights of the new shapes to choose them.`);
    });
  }
}

function sizeKey(form) {
  return [...SIZE_FIELDS, "cell"].map((name) => form.elements[name].value.trim()).join(",");
}

function note(form, text) {
  form.querySelector("[data-note-for='params']").textContent = text;
}

/** The form as a POST /api/sessions body, and every problem the form itself can see. */
export function readEditor(form) {
  const config = { output_bias: form.elements.output_bias.checked };
  const errors = [];
  const number = (name, loc, optional = false) => {
    const text = form.elements[name].value.trim();
    if (optional && text === "") return null;
    const value = DECIMAL.test(text) ? Number(text) : NaN;
    const bounds = loc.includes("optimizer") ? undefined : form.choices?.bounds?.[name]; // ConfigIn's, the seed's
    if (text === "" || !Number.isFinite(value)) errors.push({ loc, msg: "must be a decimal number" });
    else if (WHOLE_FIELDS.includes(name) && !Number.isInteger(value)) errors.push({ loc, msg: "must be a whole number" });
    else if (!withinBounds(value, bounds)) errors.push({ loc, msg: boundsRule(bounds) });
    return text === "" || Number.isNaN(value) ? text : value;
  };
  for (const name of NUMBER_FIELDS) config[name] = number(name, ["config", name]);
  for (const name of OPTIONAL_NUMBER_FIELDS) config[name] = number(name, ["config", name], true);
  for (const name of CHOICE_FIELDS) config[name] = form.elements[name].value;
  config.optimizer = { name: form.elements.optimizer.value };
  for (const input of form.querySelectorAll("[data-hyper]")) {
    config.optimizer[input.name] = number(input.name, ["config", "optimizer", input.name]);
  }
  const body = { config, seed: number("seed", ["seed"]) };
  const parsed = new Set();
  for (const name of JSON_FIELDS) {
    const text = form.elements[name].value.trim();
    if (name === "params" && text === "") continue; // the server initialises from the seed
    try {
      body[name] = JSON.parse(text);
      parsed.add(name);
    } catch {
      errors.push({ loc: [name], msg: "is not valid JSON" });
    }
  }
  errors.push(...scenarioErrors(form, body, parsed, errors));
  return { body, errors };
}

/** d, H and K when all three are valid whole numbers (the shapes' letters), else null. */
function sizesOf(config, errors) {
  const broken = errors.some((error) => SIZE_FIELDS.includes(error.loc.at(-1)));
  if (broken) return null;
  return Object.fromEntries(SIZE_FIELDS.map((name) => [SIZE_LETTERS[name], config[name]]));
}

/** The cell the form chose: its name, its weights ({name: letters}) and its initial states. */
function chosenCell(form) {
  const cell = form.elements.cell.value;
  const weights = cellWeights(form.choices, cell, form.elements.output_bias.checked);
  return { cell, weights, states: Object.keys(weights).filter((name) => /^[a-z]0$/.test(name)) };
}

/** The data's and the weights' shapes, and the weights' names against the chosen cell. */
function scenarioErrors(form, body, parsed, errors) {
  const sizes = sizesOf(body.config, errors);
  const found = [];
  if (parsed.has("inputs")) {
    found.push(...dataErrors(body.inputs, parsed.has("targets") ? body.targets : undefined, { sizes, mode: body.config.mode }));
  }
  if (!parsed.has("params")) return found;
  const params = body.params;
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    return [...found, { loc: ["params"], msg: 'must be an object of named weights, e.g. {"W_h": [[0.8]]}' }];
  }
  return [...found, ...weightErrors(params, { ...chosenCell(form), sizes })];
}

export function clearErrors(form) {
  for (const element of form.querySelectorAll(".field-error")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

/**
 * Show each message next to its field, named as the editor labels it ({"loc": ["body", "config",
 * "hidden_size"], "msg"} -> "hidden size H: ..."). fromServer: a 422's detail, kept until
 * the server answers again; otherwise the form's own problems, shown with the kept ones.
 */
export function showErrors(form, detail, { fromServer = true } = {}) {
  const listed = Array.isArray(detail) ? detail : [{ loc: [], msg: String(detail) }];
  const items = fromServer ? listed.map((item) => serverItem(item, chosenCell(form))) : listed;
  if (fromServer) serverMessages.set(form, items);
  clearErrors(form);
  const shown = fromServer ? items : [...items, ...(serverMessages.get(form) ?? [])];
  for (const item of shown) {
    const loc = (item.loc ?? []).map(String);
    const name = fieldFor(form, loc);
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    const sentence = `${whereInWords(form, name, loc)}${item.msg}`;
    const text = sentence.charAt(0).toUpperCase() + sentence.slice(1);
    slot.textContent = slot.textContent ? `${slot.textContent}\n${text}` : text; // one per line
    slot.id = `error-${name}`;
    const field = form.elements[name];
    field?.setAttribute("aria-invalid", "true");
    field?.setAttribute("aria-describedby", slot.id);
  }
}

function fieldFor(form, loc) {
  // The deepest part of loc that names a field: config.hidden_size -> hidden_size, params.W_h -> params.
  for (let index = loc.length - 1; index >= 0; index -= 1) {
    if (form.querySelector(`[data-error-for="${CSS.escape(loc[index])}"]`)) return loc[index];
  }
  return "general";
}

/** A field as the editor labels it: "learning rate η", "hidden size H", "weights". */
function labelOf(form, name) {
  const label = form.elements[name]?.closest?.("label");
  if (!label) return name;
  const text = [...label.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join(" ");
  return text.replace(/\(.*?\)/g, "").replace(/\s+/g, " ").trim() || name;
}

/** "learning rate η: ", "weights, W_h: ", or "" for a message about no field. */
function whereInWords(form, name, loc) {
  if (name === "general") return loc.filter((part) => part !== "body").length ? `${loc.filter((part) => part !== "body").join(" › ")}: ` : "";
  const after = loc.slice(loc.indexOf(name) + 1).filter((part) => !/^\d+$/.test(part));
  const rows = loc.slice(loc.indexOf(name) + 1).filter((part) => /^\d+$/.test(part));
  const more = [...after, ...rows.map((row, index) => (index ? `column ${Number(row) + 1}` : `row ${Number(row) + 1}`))];
  return `${labelOf(form, name)}${more.length ? `, ${more.join(", ")}` : ""}: `;
}
