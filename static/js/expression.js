// Typesetting the server's numbers: KaTeX for values small enough to read inline, a heat map
// (heatmap.js) for bigger ones, and equations that mix the two and wrap between their parts.

import katex from "../vendor/katex/katex.mjs";
import { createHTML } from "./svg.js";
import { flatten, formatNumber, isSingle, latexValue } from "./format.js";
import { heatmap, shapeText } from "./heatmap.js";
import { whenIdle } from "./later.js";

/** Values with at most this many numbers are typeset; bigger ones are drawn as heat maps. */
export const INLINE_NUMBERS = 4;

/** KaTeX renders by display mode and LaTeX, the most recently used kept (a view re-typesets little). */
const rendered = new Map();
const RENDERS_KEPT = 400;

/**
 * A KaTeX render of `latex` into a new element (trust off: colours use \textcolor). Each
 * distinct string is typeset once and then copied: parsing and building it again at every
 * view was half of a view's script time.
 */
export function typeset(latex, { display = false, className = "math" } = {}) {
  const key = `${display ? "D" : "T"}${latex}`;
  let template = rendered.get(key);
  if (template) rendered.delete(key); // used again: the newest
  else {
    template = document.createElement("span");
    katex.render(latex, template, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
    if (rendered.size >= RENDERS_KEPT) rendered.delete(rendered.keys().next().value);
  }
  rendered.set(key, template);
  const element = template.cloneNode(true);
  element.className = className;
  return element;
}

/**
 * Typeset a formula like the panel's once while the page is idle, off the page and not kept:
 * the first step then finds KaTeX's parser and builder compiled.
 */
export function warmTypesetting() {
  // The sized brackets' fonts (a matrix's [ ] and ( ) at 40 px in presentation mode) loaded now:
  // loaded at a step's first use, they change the panel's height after it has been scrolled.
  for (const size of [1, 2, 3, 4]) document.fonts?.load(`1em KaTeX_Size${size}`);
  whenIdle(() => {
    const latex = "\\textcolor{#D55E00}{\\frac{\\partial h_{2}}{\\partial h_{1}}} = \\tanh\\left(0.5 \\cdot (-0.5) + 0.1\\right)" +
      " = \\begin{bmatrix} 1.2 \\times 10^{-5} \\\\ \\operatorname{diag}(r) \\end{bmatrix}";
    katex.render(latex, document.createElement("span"), { displayMode: true, throwOnError: false, output: "htmlAndMathml" });
  });
}

/** True when a value is typeset as numbers (a scalar, a short vector, a 2×2 matrix, null). */
export function isSmall(value) {
  return !Array.isArray(value) || flatten(value).length <= INLINE_NUMBERS;
}

/**
 * A value: numbers in KaTeX when small, else a heat map with its shape and a table.
 * Both carry class "value" and data-value (the JSON as the server sent it).
 * size: "normal" or "compact" (smaller cells, for the running sums); name: for the aria-label;
 * digits: significant digits; paren: a negative number in parentheses (after an operator);
 * numbers: false draws the cells without their numbers (several matrices in one equation).
 */
export function valueElement(value, { size = "normal", name = "", className = "", digits = 4, paren = false, numbers = true } = {}) {
  const classes = `value ${className}`.trim();
  if (!isSmall(value)) {
    const element = heatmap(value, { size, name, digits, numbers });
    element.classList.add(...classes.split(" "));
    return element;
  }
  const element = typeset(latexValue(value, { digits, paren }), { className: `math ${classes}` });
  element.dataset.value = JSON.stringify(value);
  element.title = isSingle(value) ? formatNumber(flatten(value)[0], digits) : `shape ${shapeText(value)}`;
  return element;
}

/** f(inner) as an equation part: f's LaTeX (may be "" for the identity) around inner parts. */
export function applied(name, ...inner) {
  return { apply: name, parts: inner };
}

/** A value as an equation part, at `digits` significant digits (4 unless asked). */
export function value(number, digits = 4) {
  return { value: number, digits };
}

function valuesOf(parts) {
  return parts.flatMap((part) => {
    if (typeof part === "string") return [];
    if ("apply" in part) return valuesOf(part.parts);
    return [part.value];
  });
}

/** True after an operator: a negative number there goes in parentheses ("+ (-0.2)"). */
function afterOperator(latex) {
  return /(\\cdot|\\times|\\odot|[+\-−])\s*$/.test(latex ?? "");
}

function latexOf(parts) {
  return parts.map((part, index) => {
    if (typeof part === "string") return part;
    if ("apply" in part) return part.apply ? appliedLatex(part.apply, part.parts) : latexOf(part.parts);
    const before = parts[index - 1];
    return latexValue(part.value, { digits: part.digits, paren: typeof before === "string" && afterOperator(before) });
  }).join(" ");
}

/**
 * f( ... ) with its brackets sized to what they hold. A sum inside is split at its top-level
 * "+": the "(" closes the first summand's group (\right.) and the ")" opens the last one's
 * (\left.), so the line can wrap after each "+" (KaTeX breaks only outside a \left..\right).
 */
function appliedLatex(name, inner) {
  const plus = inner.flatMap((part, index) => (index > 0 && typeof part === "string" && /^[+\-−]/.test(part) ? [index] : []));
  if (!plus.length) return `${name}\\left(${latexOf(inner)}\\right)`;
  const first = latexOf(inner.slice(0, plus[0]));
  const middle = latexOf(inner.slice(plus[0], plus.at(-1)));
  const operator = inner[plus.at(-1)];
  const last = latexOf(inner.slice(plus.at(-1))).slice(operator.length); // "+ (-0.2)" keeps its parentheses
  return `${name}\\left(${first}\\right. ${middle} ${operator} \\left.${last}\\right)`;
}

/**
 * An equation from parts: LaTeX strings, value(v) and applied(f, ...parts).
 * When every value is small it is one KaTeX display, exactly as written; otherwise a row that
 * wraps between its parts, with heat maps for the big values and drawn brackets around f(...).
 */
export function equation(parts, { className = "math" } = {}) {
  if (valuesOf(parts).every(isSmall)) return typeset(latexOf(parts), { display: true, className });
  const row = createHTML("div", { class: `equation ${className}` });
  row.append(...pieces(parts));
  return row;
}

function pieces(parts) {
  const out = [];
  let latex = [];
  const flush = () => {
    if (latex.length) out.push(typeset(latex.join(" ")));
    latex = [];
  };
  for (const part of parts) {
    if (typeof part === "string") {
      latex.push(part);
    } else if ("apply" in part) {
      if (!part.apply) {
        flush();
        out.push(...pieces(part.parts));
        continue;
      }
      latex.push(part.apply);
      flush();
      out.push(createHTML("span", { class: "bracketed" }, pieces(part.parts)));
    } else if (isSmall(part.value)) {
      latex.push(latexValue(part.value, { digits: part.digits, paren: afterOperator(latex.at(-1)) }));
    } else {
      flush();
      // A row of several: a matrix as cells only, a vector (a column) with its numbers.
      const vector = Array.isArray(part.value) && !Array.isArray(part.value[0]);
      out.push(valueElement(part.value, { numbers: vector, digits: part.digits }));
    }
  }
  flush();
  return out;
}

/** An overflow, as the server's sentence (never "NaN"). */
export function appendDiverged(panel, diverged) {
  if (diverged) panel.append(createHTML("p", { class: "diverged", role: "alert", text: diverged.message }));
}

/** A parameter's name in LaTeX: a subscript of more than one letter in braces (W_hi -> W_{hi}). */
export function paramLatex(name) {
  return name.replace(/_(\w{2,})$/, "_{$1}");
}
