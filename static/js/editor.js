// The scenario editor: fill it from a session, read it back as a scenario, show 422 messages.

const NUMBER_FIELDS = ["input_size", "hidden_size", "output_size", "learning_rate"];
const OPTIONAL_NUMBER_FIELDS = ["truncation", "clip_norm"];
const CHOICE_FIELDS = ["activation", "output", "mode"];
const JSON_FIELDS = ["inputs", "targets", "params"];

/** Put a session's scenario into the form. */
export function fillEditor(form, state) {
  const config = state.config;
  for (const name of [...NUMBER_FIELDS, ...OPTIONAL_NUMBER_FIELDS, ...CHOICE_FIELDS]) {
    form.elements[name].value = config[name] ?? "";
  }
  form.elements.output_bias.checked = Boolean(config.output_bias);
  form.elements.seed.value = state.seed ?? 0;
  form.elements.inputs.value = JSON.stringify(state.inputs);
  form.elements.targets.value = JSON.stringify(state.targets);
  form.elements.params.value = JSON.stringify(state.params, null, 1);
  clearErrors(form);
}

/** The form as a POST /api/sessions body; a JSON text area that does not parse is an error. */
export function readEditor(form) {
  const config = { output_bias: form.elements.output_bias.checked };
  for (const name of NUMBER_FIELDS) config[name] = toNumber(form.elements[name].value);
  for (const name of OPTIONAL_NUMBER_FIELDS) {
    const text = form.elements[name].value.trim();
    config[name] = text === "" ? null : toNumber(text);
  }
  for (const name of CHOICE_FIELDS) config[name] = form.elements[name].value;
  const body = { config, seed: toNumber(form.elements.seed.value) };
  const errors = [];
  for (const name of JSON_FIELDS) {
    const text = form.elements[name].value.trim();
    if (name === "params" && text === "") continue; // the server initialises from the seed
    try {
      body[name] = JSON.parse(text);
    } catch {
      errors.push({ loc: [name], msg: "is not valid JSON" });
    }
  }
  return { body, errors };
}

function toNumber(text) {
  const number = Number(text);
  return text.trim() === "" || Number.isNaN(number) ? text : number;
}

export function clearErrors(form) {
  for (const element of form.querySelectorAll(".field-error")) element.textContent = "";
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
}

/** Show each 422 message next to its field ({"loc": ["body", "config", "hidden_size"], "msg"}). */
export function showErrors(form, detail) {
  clearErrors(form);
  const items = Array.isArray(detail) ? detail : [{ loc: [], msg: String(detail) }];
  for (const item of items) {
    const loc = (item.loc ?? []).map(String);
    const name = fieldFor(form, loc);
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    const where = name === "general" ? loc.filter((part) => part !== "body").join(".") : "";
    const text = where ? `${where}: ${item.msg}` : item.msg;
    slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
    slot.id = `error-${name}`;
    const field = form.elements[name];
    field?.setAttribute("aria-invalid", "true");
    field?.setAttribute("aria-describedby", slot.id);
  }
}

function fieldFor(form, loc) {
  // The deepest part of loc that names a field: config.hidden_size -> hidden_size, params.W_h -> params.
  for (let index = loc.length - 1; index >= 0; index -= 1) {
    if (form.querySelector(`[data-error-for="${loc[index]}"]`)) return loc[index];
  }
  return "general";
}
