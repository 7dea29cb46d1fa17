// The scenario editor's own checks and its words for the server's: every rule comes from the
// page's #choices (the bounds the create body declares, each cell's weights and their
// shapes in d, H, K), so the editor checks what the server would, before any request.

/** The sentence for a field's declared bounds ({"gt": 0} -> "must be greater than 0"). */
export function boundsRule(bounds) {
  const words = { gt: "greater than", ge: "at least", lt: "less than", le: "at most" };
  const parts = Object.entries(bounds ?? {}).map(([kind, limit]) => `${words[kind]} ${limit}`);
  return parts.length ? `must be ${parts.join(" and ")}` : "";
}

/** Whether value keeps every declared bound. */
export function withinBounds(value, bounds) {
  const keeps = { gt: (limit) => value > limit, ge: (limit) => value >= limit, lt: (limit) => value < limit, le: (limit) => value <= limit };
  return Object.entries(bounds ?? {}).every(([kind, limit]) => keeps[kind](limit));
}

/** A shape as the server writes it: (2, 1), (3,). */
function shapeText(shape) {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** The shape of a nested list of numbers, or null if it is not one (ragged, or not numbers). */
function shapeOf(value) {
  if (typeof value === "number") return Number.isFinite(value) ? [] : null;
  if (!Array.isArray(value) || value.length === 0) return Array.isArray(value) ? [0] : null;
  const inner = value.map(shapeOf);
  const first = JSON.stringify(inner[0]);
  if (inner[0] === null || inner.some((shape) => JSON.stringify(shape) !== first)) return null;
  return [value.length, ...inner[0]];
}

/** The weights the chosen cell has ({name: [letters]}), b_y only with an output bias. */
export function cellWeights(choices, cell, outputBias) {
  const listed = (choices?.weights?.[cell] ?? []).filter(({ name }) => outputBias || name !== "b_y");
  return Object.fromEntries(listed.map(({ name, shape }) => [name, shape]));
}

/** "W_q is not a weight of the elman cell (its weights: W_x, W_h, b, W_y, h0)". */
export function notAWeight(key, cell, weights) {
  return `${key} is not a weight of the ${cell} cell (its weights: ${Object.keys(weights).join(", ")})`;
}

/**
 * Every problem of the weights box against the chosen cell: unknown names, missing weights
 * (the initial states may be left out), and, when the sizes are known, each shape.
 */
export function weightErrors(params, { cell, weights, sizes, states }) {
  const errors = Object.keys(params).filter((key) => !(key in weights)).map((key) => ({
    loc: ["params"], msg: notAWeight(key, cell, weights),
  }));
  const missing = [];
  for (const [name, letters] of Object.entries(weights)) {
    const shape = sizes ? letters.map((letter) => sizes[letter]) : null;
    if (!(name in params)) {
      if (!states.includes(name)) missing.push([name, shape]);
      continue;
    }
    const actual = shapeOf(params[name]);
    if (actual === null) errors.push({ loc: ["params", name], msg: "must be numbers in a (nested) list" });
    else if (shape && shapeText(actual) !== shapeText(shape)) {
      errors.push({ loc: ["params", name], msg: `must have shape ${shapeText(shape)}, not ${shapeText(actual)}` });
    }
  }
  return [...errors, ...missingErrors(missing)];
}

/** One missing weight as the server says it ("is missing (shape (2, 1))"); several in one line. */
function missingErrors(missing) {
  const shaped = ([name, shape]) => (shape ? `${name} ${shapeText(shape)}` : name);
  if (missing.length === 1) {
    const [[name, shape]] = missing;
    return [{ loc: ["params", name], msg: `is missing${shape ? ` (shape ${shapeText(shape)})` : ""}` }];
  }
  return missing.length ? [{ loc: ["params"], msg: `missing ${missing.map(shaped).join(", ")}` }] : [];
}

/** The inputs (T lists of d numbers, T >= 1) and the targets ((T, K), or (K,) for many-to-one). */
export function dataErrors(inputs, targets, { sizes, mode }) {
  const errors = [];
  const given = shapeOf(inputs);
  const T = given?.length === 2 ? given[0] : null;
  if (given === null || given.length !== 2 || T < 1 || (sizes && given[1] !== sizes.d)) {
    const d = sizes ? ` = ${sizes.d}` : "";
    const got = given === null ? "" : ` (got shape ${shapeText(given)})`;
    errors.push({ loc: ["inputs"], msg: `must be a list of T >= 1 time steps, each a list of d${d} numbers${got}` });
  }
  const aimed = shapeOf(targets);
  if (targets === undefined || !sizes || (T === null && mode === "many_to_many")) return errors;
  const expected = mode === "many_to_many" ? [T, sizes.K] : [sizes.K];
  if (aimed === null) errors.push({ loc: ["targets"], msg: "must be numbers in a (nested) list" });
  else if (shapeText(aimed) !== shapeText(expected)) {
    errors.push({ loc: ["targets"], msg: `must have shape ${shapeText(expected)} for ${mode}, not ${shapeText(aimed)}` });
  }
  return errors;
}

const PYDANTIC_WORDS = {
  greater_than: (ctx) => `must be greater than ${ctx.gt}`,
  greater_than_equal: (ctx) => `must be at least ${ctx.ge}`,
  less_than: (ctx) => `must be less than ${ctx.lt}`,
  less_than_equal: (ctx) => `must be at most ${ctx.le}`,
  missing: () => "is required",
  int_type: () => "must be a whole number",
  int_from_float: () => "must be a whole number",
  float_type: () => "must be a decimal number",
  finite_number: () => "must be a finite number",
  list_type: () => "must be a list",
  literal_error: (ctx) => `must be one of ${ctx.expected}`,
  bool_type: () => "must be ticked or not",
};

// The core's rules in symbols, as sentences: "must be <= 64" -> "must be at most 64".
const CORE_WORDS = { ">=": "at least", "<=": "at most", ">": "greater than", "<": "less than" };

/**
 * A server 422 item in the editor's words: pydantic's types and the core's symbols as
 * sentences, an unknown weight as the editor says it. cell: {cell, weights} of the form.
 */
export function serverItem(item, { cell, weights }) {
  const loc = (item.loc ?? []).map(String).filter((part) => part !== "body");
  const key = loc[0] === "params" ? loc[1] : undefined;
  if (key && (item.type === "extra_forbidden" || /^is not a parameter/.test(item.msg))) {
    return { loc: ["params"], msg: notAWeight(key, cell, weights) };
  }
  if (item.type === "extra_forbidden") return { loc: loc.slice(0, -1), msg: `${loc.at(-1)} is not a field the editor sends` };
  const words = PYDANTIC_WORDS[item.type];
  if (words) return { loc, msg: words(item.ctx ?? {}) };
  let msg = String(item.msg ?? "").replace(/^Input should be /, "must be ");
  if (item.type === "scenario") msg = msg.replace(/(must be |and )(>=|<=|>|<) /g, (_, lead, symbol) => `${lead}${CORE_WORDS[symbol]} `);
  return { loc, msg };
}
