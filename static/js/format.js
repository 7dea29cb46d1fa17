// Number formatting for the page and for KaTeX. Formatting only: no maths is redone here.

const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** True when a number is written in scientific notation (|value| >= 1e5 or < 1e-3). */
function isScientific(value) {
  const size = Math.abs(value);
  return value !== 0 && (size >= 1e5 || size < 1e-3);
}

const MOST_SHOWN = 15; // a double holds about 15 significant decimal digits
const NOISE = 1e-9; // relative: a sum such as 0.5 - 0.49999999 lands this close to 1e-8

/** Significant digits of a plain decimal text ("0.0500" -> 3, "-12" -> 2). */
function significantDigits(text) {
  return text.replace(/[-.]/g, "").replace(/^0+/, "").length;
}

/** value at `digits` significant digits, trailing zeros kept: [mantissa, exponent], the
 * exponent null for a plain number (12345.6 at 4 is 12350: its zeros only hold the place). */
function roundedParts(value, digits) {
  if (isScientific(value)) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
    return [mantissa, String(Number(exponent))];
  }
  const text = value.toPrecision(digits);
  return [text.includes("e") ? String(Number(text)) : text, null];
}

/** The number exactly as it is, when that is a short decimal of at most `digits` significant
 * digits (0.5, 1.2, 1e-7); else null. */
function exactParts(value, digits) {
  if (isScientific(value)) {
    const [mantissa, exponent] = value.toExponential().split("e");
    return significantDigits(mantissa) <= digits ? [mantissa, String(Number(exponent))] : null;
  }
  const text = String(value);
  return !text.includes("e") && significantDigits(text) <= digits ? [text, null] : null;
}

/**
 * The one rule for how a number is written, as a student reads significant figures:
 * - a number that is exactly a short decimal (at most `digits` significant digits: a given
 *   input such as 0.5, 1.2, a target 1, η = 0.001) is written as it is: 0.5, not 0.5000;
 * - any other number to `digits` significant digits, trailing zeros kept (0.5370, -0.6040:
 *   every number reads to the same precision);
 * - and a number that rounds to a short decimal with two or more trailing zeros but is not it
 *   (0.4999964 -> 0.5000, which would read as the 0.5 it changed from) gains digits until its
 *   last digits are not such zeros: 0.4999964, 1.2001 (but 0.5 - 0.49999999, 1e-8 to
 *   within a double's rounding, stays 1.000×10⁻⁸).
 * Returns [mantissa, exponent] (exponent null for a plain number).
 */
function shownParts(value, digits) {
  const exact = exactParts(value, digits);
  if (exact) return exact;
  let parts = roundedParts(value, digits);
  const short = Number(parts.join("e"));
  if (Math.abs(value - short) <= NOISE * Math.abs(value)) return parts; // that number, to rounding noise
  for (let more = digits + 1; more <= MOST_SHOWN && /\.\d*00$/.test(parts[0]); more += 1) {
    parts = roundedParts(value, more);
  }
  return parts;
}

/**
 * A number as a person reads it, to `digits` significant digits (4 unless asked); the one way
 * the page writes numbers (shownParts: exact short numbers as they are, others with their
 * trailing zeros): plain (-0.3722, 0.5370) or scientific as 5.793×10¹¹ (typeset, latexNumber,
 * as 5.793 \times 10^{11}). null (not finite on the server) becomes a dash.
 */
export function formatNumber(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "0";
  if (!Number.isFinite(value)) return String(value);
  const [mantissa, exponent] = shownParts(value, digits);
  if (exponent === null) return mantissa;
  return `${mantissa}×10${[...exponent].map((c) => SUPERSCRIPT[c]).join("")}`;
}

/** 10 to the power `exponent`, as a log axis writes it: 10⁻³, 10¹¹. */
export function powerOfTen(exponent) {
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c]).join("")}`;
}

/** How wide a number's text is, in digits: a superscript counts as 0.3 of one (scientific numbers are set a size smaller). */
function textWidth(text) {
  return [...text].reduce((width, c) => width + (/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]/.test(c) ? 0.3 : 1), 0);
}

/**
 * A number in at most `width` characters, for the graph's small boxes: four significant
 * digits or fewer, the mantissa shortened first when the exponent needs the room; at `most`
 * digits when more than 4 are asked for (as the view's panel writes it) and they fit.
 */
export function formatCompact(value, width = 8, most = 4) {
  if (value === null || value === undefined) return "—";
  let text = formatNumber(value, most);
  if (most > 4 && textWidth(text) <= width) return text; // a count the view writes it with elsewhere
  text = formatNumber(value);
  for (let digits = 3; digits >= 1 && textWidth(text) > width; digits -= 1) text = formatNumber(value, digits);
  return text;
}

/**
 * The fewest significant digits (4 to 10) at which every entry of `after` that differs from
 * its entry in `before` also prints differently, so a small change is not rounded away.
 */
export function digitsToShowChange(before, after) {
  const old = flatten(before);
  const pairs = flatten(after).map((number, index) => [old[index], number]);
  const changed = pairs.filter(([a, b]) => a !== b && a !== null && b !== null);
  for (let digits = 4; digits < 10; digits += 1) {
    if (changed.every(([a, b]) => formatNumber(a, digits) !== formatNumber(b, digits))) return digits;
  }
  return 10;
}

/**
 * Significant digits for an update's old and new values, one count for both: enough that every
 * change shows to two significant digits, so old − η·grad (the gradient at 4 digits) visibly
 * equals new. 0.499996 → 0.4999921 needs 7 ("0.5" and "0.49999" would not add up).
 */
export function digitsForUpdate(before, after) {
  const old = flatten(before);
  const pairs = flatten(after).map((number, index) => [old[index], number]);
  let digits = 4;
  for (const [a, b] of pairs) {
    if (a === b || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const decimals = 1 - Math.floor(Math.log10(Math.abs(a - b)));
    for (const number of [a, b]) {
      if (number !== 0) digits = Math.max(digits, decimals + Math.floor(Math.log10(Math.abs(number))) + 1);
    }
  }
  return Math.min(digits, 15);
}

/** The same number as LaTeX: 1.23×10⁻⁵ becomes 1.23 \\times 10^{-5}. */
export function latexNumber(value, digits = 4) {
  if (value === null || value === undefined) return "\\text{—}";
  if (value !== 0 && isScientific(value)) {
    const [mantissa, exponent] = shownParts(value, digits);
    return `${mantissa} \\times 10^{${exponent}}`;
  }
  return formatNumber(value, digits);
}

/** Every number of a (nested) array, in reading order. */
export function flatten(value) {
  return Array.isArray(value) ? value.flat(Infinity) : [value];
}

/** The shape of a nested list: [] for a number, [n] for a vector, [r, c] for a matrix. */
export function shapeOf(value) {
  const shape = [];
  let level = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

/** True when the value holds a single number (a scalar, [x] or [[x]]). */
export function isSingle(value) {
  let level = value;
  while (Array.isArray(level)) {
    if (level.length !== 1) return false;
    level = level[0];
  }
  return level !== null && level !== undefined;
}

/** True when the value is one number below zero (it needs parentheses after an operator). */
export function isNegative(value) {
  return isSingle(value) && flatten(value)[0] < 0;
}

/** "0.5" for one number, "[0.1, -0.2, …]" for several: for titles and aria-labels. */
export function describeValue(value) {
  if (value === undefined) return "not computed yet";
  const numbers = flatten(value);
  if (numbers.length === 1) return formatNumber(numbers[0]);
  const shown = numbers.slice(0, 12).map((number) => formatNumber(number)).join(", ");
  return `[${shown}${numbers.length > 12 ? ", …" : ""}] (${shapeOf(value).join("×")})`;
}

/**
 * LaTeX for a value: a number, or a bmatrix (vectors as columns) when small enough.
 * digits: significant digits; paren: a negative number goes in parentheses, as it must after
 * an operator ("\times (-0.3722)", "0.5 \cdot (-0.5)").
 */
export function latexValue(value, { maxEntries = 16, digits = 4, paren = false } = {}) {
  if (value === null || value === undefined) return "\\text{—}";
  if (isSingle(value)) {
    const text = latexNumber(flatten(value)[0], digits);
    return paren && isNegative(value) ? `\\left(${text}\\right)` : text;
  }
  const numbers = flatten(value);
  if (numbers.length > maxEntries) return `\\text{(}${shapeOf(value).join(" \\times ")}\\text{)}`;
  const rows = Array.isArray(value[0]) ? value : value.map((entry) => [entry]);
  const body = rows.map((row) => row.map((n) => latexNumber(n, digits)).join(" & ")).join(" \\\\ ");
  return `\\begin{bmatrix} ${body} \\end{bmatrix}`;
}

/** The largest absolute value among the finite numbers (for colour scales). */
export function largestMagnitude(values) {
  let largest = 0;
  for (const number of values) {
    if (number !== null && Number.isFinite(number)) largest = Math.max(largest, Math.abs(number));
  }
  return largest;
}

/** A diverging Okabe–Ito colour for value / scale in [-1, 1]: blue below 0, orange above. */
export function divergingColour(value, scale) {
  if (value === null || value === undefined) return "#888888";
  const [r, g, b] = divergingRGB(value, scale);
  return `rgb(${r}, ${g}, ${b})`;
}

/** The same colour as [red, green, blue] in 0..255 (for a canvas's pixels); null is grey. */
export function divergingRGB(value, scale) {
  if (value === null || value === undefined) return [136, 136, 136];
  const share = scale > 0 ? Math.min(1, Math.abs(value) / scale) : 0;
  const [r, g, b] = value < 0 ? [0, 114, 178] : [230, 159, 0];
  const mix = (channel) => Math.round(255 + (channel - 255) * share);
  return [mix(r), mix(g), mix(b)];
}

// ---- operands that make their shown result ---------------------------------------------

export const MOST_DIGITS = 15; // a double holds about 15 significant decimal digits

/** A number as it is shown at `digits` significant digits (shownParts, the one rule),
 * exactly: [coefficient, exponent] (coefficient × 10^exponent, the coefficient a BigInt), its
 * last digit the last one written, trailing zeros included: 0.11187 at 4 -> [1119n, -4],
 * 0.53705 -> [5370n, -4], the exact 0.5 -> [5n, -1]. */
function shownDecimal(value, digits) {
  if (value === 0) return [0n, 0];
  const [mantissa, exponent] = shownParts(value, digits);
  const decimals = mantissa.includes(".") ? mantissa.split(".")[1].length : 0;
  return [BigInt(mantissa.replace(".", "")), Number(exponent ?? 0) - decimals];
}

/** coefficient × 10^exponent rounded to 10^place (halves away from zero), as a coefficient. */
function roundedTo([coefficient, exponent], place) {
  if (exponent >= place) return coefficient * 10n ** BigInt(exponent - place);
  const unit = 10n ** BigInt(place - exponent);
  const size = coefficient < 0n ? -coefficient : coefficient;
  const rounded = (size + unit / 2n) / unit;
  return coefficient < 0n ? -rounded : rounded;
}

/** Exact decimal arithmetic on [coefficient, exponent] pairs (shown numbers, added up as a
 * student would, with no rounding on the way). */
export const exact = {
  integer: (n) => [BigInt(n), 0],
  add([c, e], [c2, e2]) {
    const place = Math.min(e, e2);
    return [c * 10n ** BigInt(e - place) + c2 * 10n ** BigInt(e2 - place), place];
  },
  multiply: ([c, e], [c2, e2]) => [c * c2, e + e2],
  negate: ([c, e]) => [-c, e],
  sign: ([c]) => (c > 0n ? 1 : c < 0n ? -1 : 0),
  /** value as it is shown at `digits` significant digits (15: as the double holds it). */
  shown: (value, digits = MOST_DIGITS) => shownDecimal(value, digits),
  /** True when the decimal, rounded at `value`'s last shown digit (at `digits`), is `value` as shown. */
  roundsTo(decimal, value, digits) {
    const [coefficient, place] = shownDecimal(value, digits);
    return roundedTo(decimal, place) === coefficient;
  },
  /** The decimal as a double (for a step the exact arithmetic cannot take: a logarithm). */
  number: ([c, e]) => (e < 0 ? Number(c) / 10 ** -e : Number(c) * 10 ** e),
};

/** The shown operands combined exactly: their sum ("+") or their product ("·"). */
function combined(decimals, operation) {
  return decimals.reduce(operation === "·" ? exact.multiply : exact.add);
}

/** The exponent of a number's leading digit: 0.1119 -> -1, 250 -> 2. */
const leadingPower = (value) => Number(value.toExponential().split("e")[1]);

/**
 * The rule for every line that works a result out of shown numbers: significant digits for
 * each operand such that the operands as shown, put through `combine` exactly (a list of
 * [coefficient, exponent] -> one, or null for a form it cannot check), give the result as
 * shown at `digits`. From `start` (one
 * count per operand), every operand gains a digit until they do (at most 15); `start` when
 * none does (a result on the server's rounding edge) or a number is not finite.
 */
export function digitsThatMake(operands, result, combine, start, digits = 4) {
  return digitsThatMakeAll(operands, [{ combine, result, digits }], start);
}

/**
 * The same rule for operands that several lines of one view share (a term's factors make
 * both r and the term): one count per operand, so that each number reads the same in every
 * line, at which every check {combine, result, digits} gives its result as shown.
 */
export function digitsThatMakeAll(operands, checks, start) {
  const numbers = [...operands, ...checks.map((check) => check.result)];
  if (!operands.length || !numbers.every(Number.isFinite)) return start;
  const targets = checks.map(({ result, digits }) => shownDecimal(result, digits));
  const works = (counts) => {
    const decimals = operands.map((value, n) => shownDecimal(value, counts[n]));
    const worked = checks.map(({ combine }) => combine(decimals)); // null: a form not checked
    if (worked.some((value) => value === null)) return null;
    return worked.every((value, n) => roundedTo(value, targets[n][1]) === targets[n][0]);
  };
  return fewestDigitsThatWork(start, works) ?? start;
}

/**
 * The digit search every line's numbers share: all counts gain one at a time from `start`
 * until works(counts) is true (null: a form it cannot check), then each goes back down to
 * the fewest that still work. Null when nothing up to MOST_DIGITS works.
 */
export function fewestDigitsThatWork(start, works) {
  if (!start.length) return works(start) ? start : null;
  for (let extra = 0; Math.max(...start) + extra <= MOST_DIGITS; extra += 1) {
    const counts = start.map((count) => count + extra);
    const found = works(counts);
    if (found === null) return null;
    if (found) return fewestThatWork(counts, start, works);
  }
  return null;
}

/** Each operand back down to the fewest digits (not below its start) at which the checks
 * still work out, as stepdigits.js's forward lines do: 0.45940 · 0 needs no more than 0.4594. */
function fewestThatWork(counts, start, works) {
  const trial = [...counts];
  trial.forEach((_, n) => {
    while (trial[n] > start[n] && works(trial.map((count, m) => (m === n ? count - 1 : count)))) trial[n] -= 1;
  });
  return trial;
}

/**
 * Significant digits for each operand of a sum ("+") or product ("·") shown with its
 * result, so that the operands as shown, added or multiplied, give the result as shown at
 * its own `digits`: 0.1119 + (−0.1082) = 0.003636 does not add up (a student gets 0.0037),
 * 0.111871 + (−0.108235) = 0.003636 does. Never fewer than `digits`; the addends of a sum
 * start at the result's last decimal place (digitsThatMake then adds digits as needed).
 * Formatting only: the result is the server's, never recomputed.
 */
export function operandDigits(operands, result, operation = "+", digits = 4) {
  const place = Number.isFinite(result) ? shownDecimal(result, digits)[1] : 0;
  const start = operands.map((value) => {
    if (operation === "·" || !Number.isFinite(value) || value === 0) return digits;
    return Math.min(MOST_DIGITS, Math.max(digits, leadingPower(value) - place + 1)); // to the result's place
  });
  return digitsThatMake(operands, result, (decimals) => combined(decimals, operation), start, digits);
}

/**
 * The digits of one parameter's running sums through an epoch, so that a sum reads the same
 * in every view that writes it: the "so far" of one term's view is the "before" of the next
 * term's. chain: its terms in the order walked ({previous, value, running, dropped}, from GET
 * .../sums). From the last (its sum at 4 digits) back to the first: each view's addends get
 * the digits that make its sum as that sum is written (operandDigits), and its before's count
 * is the one the view before writes its sum with. Returns [{before, term, running}] in order.
 */
export function sumDigits(chain) {
  const counts = new Array(chain.length);
  let running = 4;
  for (let n = chain.length - 1; n >= 0; n -= 1) {
    const { previous, value, running: sum, dropped } = chain[n];
    // a dropped term adds nothing: its before is its sum, written alike
    const [before, term] = dropped ? [running, 4] : operandDigits([previous, value], sum, "+", running);
    counts[n] = { before, term, running };
    running = before;
  }
  return counts;
}
