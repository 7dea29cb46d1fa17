// The digits of a forward line's numbers, so that a student redoing the line with pencil and
// paper gets its results as shown: the products and sums exactly, tanh, σ and softmax from
// the numbers as written. Formatting only: every value is the server's, none is used in place
// of one; the arithmetic here only checks which digits to write (format.js operandDigits'
// rule, for a forward line's templates: app/core/cells StepLine).

import { MOST_DIGITS, exact, fewestDigitsThatWork } from "./format.js";

/** At most this many numbers in a line are checked (a bigger line is drawn as heat maps). */
const MOST_CHECKED = 64;
const FIRST_DIGITS = 4;

// ---- a template as a tree: sum := term (± term)*, term := factor (· or ⊙ factor)* --------

const TOKEN = /\[\[(?:\w+|\*)\]\]|\\odot|\\sigma\(|\\tanh\(|\\operatorname\{\w+\}\(|\d+(?:\.\d+)?|[-+()]/g;

/** A StepLine template ("\tanh([[W_x]] [[*]] [[x]] + ...)") as a tree of
 * {name} | {number} | {op: "+" "-" "·" "⊙", left, right} | {apply: "tanh" "sigma" ..., inner}. */
export function parseTemplate(template) {
  const tokens = template.match(TOKEN) ?? [];
  let at = 0;
  const factor = () => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`template ends early: ${template}`);
    if (token.endsWith("(")) {
      const name = token === "(" ? "" : token.replace(/^\\(operatorname\{)?/, "").replace(/\}?\($/, "");
      const inner = sum();
      at += 1; // ")"
      return name ? { apply: name, inner } : inner;
    }
    if (token.startsWith("[[")) return { name: token.slice(2, -2) };
    return { number: Number(token) };
  };
  const term = () => {
    let left = factor();
    while (tokens[at] === "[[*]]" || tokens[at] === "\\odot") {
      const op = tokens[at++] === "[[*]]" ? "·" : "⊙";
      left = { op, left, right: factor() };
    }
    return left;
  };
  const sum = () => {
    let left = term();
    while (tokens[at] === "+" || tokens[at] === "-") left = { op: tokens[at++], left, right: term() };
    return left;
  };
  return sum();
}

/** The names a tree reads, once each. */
function namesOf(tree, found = new Set()) {
  if (tree.name) found.add(tree.name);
  for (const part of [tree.left, tree.right, tree.inner]) if (part) namesOf(part, found);
  return found;
}

// ---- evaluating on shown numbers: exact decimals, nested as the values are ---------------

const isDecimal = (x) => typeof x[0] === "bigint";

/** Entry by entry (a number against a whole vector where one side is a number). */
function pairwise(a, b, operation) {
  if (isDecimal(a) && isDecimal(b)) return operation(a, b);
  if (isDecimal(a)) return b.map((entry) => pairwise(a, entry, operation));
  if (isDecimal(b)) return a.map((entry) => pairwise(entry, b, operation));
  if (a.length !== b.length) throw new Error("shapes differ");
  return a.map((entry, n) => pairwise(entry, b[n], operation));
}

/** W · v: a matrix times a vector, or a number times anything. */
function product(a, b) {
  const matrixTimesVector = !isDecimal(a) && !isDecimal(a[0]) && !isDecimal(b) && isDecimal(b[0]);
  if (!matrixTimesVector) return pairwise(a, b, exact.multiply);
  return a.map((row) => {
    if (row.length !== b.length) throw new Error("shapes differ");
    return row.map((w, j) => exact.multiply(w, b[j])).reduce(exact.add);
  });
}

const asDecimal = (number) => exact.shown(number, MOST_DIGITS);
const FUNCTIONS = {
  tanh: Math.tanh,
  sigma: (z) => 1 / (1 + Math.exp(-z)),
  relu: (z) => Math.max(z, 0),
};

/** f of every entry, from the decimals as shown (to a double's digits); softmax of a vector. */
function applied(name, value) {
  if (name === "softmax") {
    const numbers = value.map(exact.number);
    const top = Math.max(...numbers);
    const powers = numbers.map((z) => Math.exp(z - top));
    const total = powers.reduce((a, b) => a + b, 0);
    return powers.map((p) => asDecimal(p / total));
  }
  const f = FUNCTIONS[name];
  if (!f) throw new Error(`no function ${name}`);
  const each = (x) => (isDecimal(x) ? asDecimal(f(exact.number(x))) : x.map(each));
  return each(value);
}

/** The tree's value from its names' values as shown at digits[name]. */
function evaluate(tree, values, digits) {
  if (tree.name) return shownAt(values[tree.name], digits[tree.name]);
  if (tree.number !== undefined) return exact.shown(tree.number);
  if (tree.apply) return applied(tree.apply, evaluate(tree.inner, values, digits));
  const left = evaluate(tree.left, values, digits);
  const right = evaluate(tree.right, values, digits);
  if (tree.op === "·") return product(left, right);
  if (tree.op === "⊙") return pairwise(left, right, exact.multiply);
  return pairwise(left, tree.op === "-" ? negated(right) : right, exact.add);
}

const negated = (value) => (isDecimal(value) ? exact.negate(value) : value.map(negated));

function shownAt(value, digits) {
  if (Array.isArray(value)) return value.map((entry) => shownAt(entry, digits));
  if (!Number.isFinite(value)) throw new Error("not finite");
  return exact.shown(value, digits);
}

/** True when each entry of `worked` rounds to `value`'s entry as shown at `digits`. */
function gives(worked, value, digits) {
  const entries = flatDecimals(worked);
  const targets = [value].flat(Infinity);
  return entries.length === targets.length && entries.every((entry, n) => exact.roundsTo(entry, targets[n], digits));
}

function flatDecimals(value) {
  return isDecimal(value) ? [value] : value.flatMap(flatDecimals);
}

/**
 * Digits for the names `free` (one count each, gaining one at a time from `digits`' count or
 * 4, then each back down to the fewest that work: format.js fewestDigitsThatWork; the others
 * as `digits` has them) at which every [tree, value, its digits] of `checks` works out; null
 * when none does (up to 15) or a form cannot be checked.
 */
function digitsThatWork(checks, values, free, digits) {
  const trialOf = (counts) => ({ ...digits, ...Object.fromEntries(free.map((name, n) => [name, counts[n]])) });
  const works = (counts) => {
    const trial = trialOf(counts);
    try {
      return checks.every(([tree, value, shown]) => gives(evaluate(tree, values, trial), value, shown(trial)));
    } catch {
      return null; // a shape or function this check does not know: the line keeps its 4 digits
    }
  };
  const found = fewestDigitsThatWork(free.map((name) => digits[name] ?? FIRST_DIGITS), works);
  return found ? trialOf(found) : null;
}

/** The parts of `numbers` that `via` writes as one value: [subtree, name] pairs. */
function written(numbers, via) {
  if (via.name && !(numbers.name === via.name)) return [[numbers, via.name]];
  if (via.apply && numbers.apply === via.apply) return written(numbers.inner, via.inner);
  if (via.op && numbers.op === via.op) return [...written(numbers.left, via.left), ...written(numbers.right, via.right)];
  return [];
}

/**
 * Significant digits for each name of a forward line "lhs = rhs (numbers) [= via] = result",
 * so that the numbers as shown give the via's values as shown and those the result at
 * `resultDigits` (without a via, the numbers give the result). values: name -> the server's
 * value (the result's under `result`). A name not in the answer is written at 4 digits. A
 * line of more than MOST_CHECKED numbers (hello's W_x x_t + W_h h_{t−1} + b, drawn as heat
 * maps) still gets its via's digits: tanh(a) as written gives h_t as written. least: the
 * fewest digits of a name (one the view writes elsewhere at that count), else 4.
 */
export function lineDigits({ rhs, via = "", result }, values, resultDigits = FIRST_DIGITS, least = {}) {
  const numbers = parseTemplate(rhs);
  const inner = via ? parseTemplate(via) : null;
  const names = [...namesOf(numbers), ...(inner ? namesOf(inner) : [])];
  if (names.some((name) => values[name] === undefined || values[name] === null)) return {};
  const tooMany = (tree) => [...namesOf(tree)].reduce((count, name) => count + [values[name]].flat(Infinity).length, 0) > MOST_CHECKED;
  const start = Object.fromEntries(names.map((name) => [name, least[name] ?? FIRST_DIGITS]));
  const last = [[inner ?? numbers, values[result], () => resultDigits]];
  if (!inner) return tooMany(numbers) ? {} : digitsThatWork(last, values, [...namesOf(numbers)], start) ?? {};
  const first = tooMany(inner) ? null : digitsThatWork(last, values, [...namesOf(inner)], start);
  if (!first) return {};
  if (tooMany(numbers)) return first;
  const parts = written(numbers, inner);
  const free = [...new Set(parts.flatMap(([tree]) => [...namesOf(tree)]))];
  const checks = parts.map(([tree, name]) => [tree, values[name], () => first[name]]);
  return digitsThatWork(checks, values, free, first) ?? first;
}
