// An entry template (app/core/entries.py) as arithmetic on the numbers as shown, exactly, so
// that a worked line can be written to the digits that make its value (format.js,
// digitsThatMake). It checks what is written; the value shown is always the server's.

import { exact } from "./format.js";

const TOKEN = /\s*(\[\[\*\]\]|\[\[\w+(?::(?:ij|i|j))?\]\]|\\mathbb\{1\}\[|\\frac\{|\\sqrt\{|\}\{|\d+|[-+()^\]>{}])/y;
const QUOTIENT_DIGITS = 40n; // a quotient's digits past its numerator's last: far past any shown
const INTEGER = /^\d+$/;

/** The tokens of a template ("*" a product, "[[" a number, "1[" an indicator), or null when
 * it holds anything else (\odot, \tanh: then no line of it is checked). */
function tokensOf(template) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < template.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(template);
    if (!match) return /^\s*$/.test(template.slice(start)) ? tokens : null;
    const text = match[1];
    const named = { "[[*]]": "*", "\\frac{": "frac", "\\sqrt{": "sqrt" }[text];
    tokens.push(named ?? (text.startsWith("[[") ? "[[" : text.startsWith("\\") ? "1[" : text));
  }
  return tokens;
}

/**
 * a / b as an exact decimal to QUOTIENT_DIGITS places past a's last, with one more digit 1
 * when it does not end there (so that a quotient rounds as it is, even on a half). Throws for
 * b = 0 (then no line of the template is checked).
 */
function quotient([c, e], [c2, e2]) {
  if (c2 === 0n) throw new Error("division by zero");
  const scaled = c * 10n ** QUOTIENT_DIGITS;
  const [q, r] = [scaled / c2, scaled % c2];
  const exponent = e - e2 - Number(QUOTIENT_DIGITS);
  if (r === 0n) return [q, exponent];
  const sign = (c < 0n) !== (c2 < 0n) ? -1n : 1n;
  return [q * 10n + sign, exponent - 1];
}

/** Reads tokens as sum := product (± product)*, product := power ([[*]]? power)*,
 * power := atom (^ n | ^{n})?, atom := number | integer | -atom | (sum) | 1[sum > integer]
 * | \frac{sum}{sum} | \sqrt{sum} (a square root to a double's digits, as tanh and log are). */
class Reader {
  constructor(tokens, decimals) {
    Object.assign(this, { tokens, decimals, at: 0, next: 0 });
  }

  peek() {
    return this.tokens[this.at];
  }

  take(wanted) {
    if (wanted !== undefined && this.peek() !== wanted) throw new Error(`expected ${wanted}`);
    return this.tokens[this.at++];
  }

  sum() {
    let value = this.product();
    while (this.peek() === "+" || this.peek() === "-") {
      const sign = this.take();
      const term = this.product();
      value = exact.add(value, sign === "+" ? term : exact.negate(term));
    }
    return value;
  }

  product() {
    let value = this.power();
    const startsFactor = () => ["*", "[[", "(", "1[", "frac", "sqrt"].includes(this.peek()) || INTEGER.test(this.peek() ?? "");
    while (startsFactor()) { // [[*]], or two factors side by side: z(1 - z)
      if (this.peek() === "*") this.take("*");
      value = exact.multiply(value, this.power());
    }
    return value;
  }

  power() {
    const base = this.atom();
    if (this.peek() !== "^") return base;
    this.take("^");
    const braced = this.peek() === "{" && this.take("{");
    const power = Number(this.take());
    if (braced) this.take("}");
    if (!Number.isInteger(power) || power < 1) throw new Error("not a power the arithmetic takes");
    let value = base;
    for (let n = power; n > 1; n -= 1) value = exact.multiply(value, base);
    return value;
  }

  atom() {
    const token = this.take();
    if (token === "[[") return this.decimals[this.next++];
    if (token === "-") return exact.negate(this.atom());
    if (INTEGER.test(token ?? "")) return exact.integer(token);
    if (token === "frac") {
      const numerator = this.sum();
      this.take("}{");
      const denominator = this.sum();
      this.take("}");
      return quotient(numerator, denominator);
    }
    if (token === "sqrt") {
      const inner = this.sum();
      this.take("}");
      if (exact.sign(inner) < 0) throw new Error("the square root of a negative number");
      return exact.shown(Math.sqrt(exact.number(inner)));
    }
    if (token !== "(" && token !== "1[") throw new Error(`unexpected ${token}`);
    const inner = this.sum();
    if (token === "(") {
      this.take(")");
      return inner;
    }
    this.take(">"); // the indicator 1[inner > bound]
    const bound = exact.integer(this.take());
    this.take("]");
    return exact.integer(exact.sign(exact.add(inner, exact.negate(bound))) > 0 ? 1 : 0);
  }
}

/**
 * The value of a template with its numbers (in the order it names them) as exact decimals
 * ([coefficient, exponent]); null for a template of any other form.
 */
export function templateValue(template, decimals) {
  const tokens = tokensOf(template);
  if (!tokens) return null;
  const reader = new Reader(tokens, decimals);
  try {
    const value = reader.sum();
    return reader.at === tokens.length && reader.next === decimals.length ? value : null;
  } catch {
    return null;
  }
}
