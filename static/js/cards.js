// A term's factor cards, kept from one term to the next: consecutive terms share most of their
// factors (the terms of one backward step differ only in the last, the direct partial; the
// next step's first term adds one ∂h_j/∂h_{j−1} to the chain), so a card that would look the
// same (same factor, value, place and so colour, the same numbers worked out, the same entry
// in view) is moved into the new view instead of typeset and laid out again.

import { createHTML } from "./svg.js";
import { typeset, valueElement } from "./expression.js";
import { entryTemplate, matrixShape, pickEntry, pickOnClick, pickedEntry, workedEntry, workedFactor, workedParts } from "./worked.js";
import { templateValue } from "./arithmetic.js";
import { exact, flatten, operandDigits as productDigits } from "./format.js";
import { shapeTag } from "./product.js";

const PLACEHOLDER_NAME = /\[\[(\w+)(?::\w+)?\]\]/g;

/** An id per object (a Jacobian from a backward record): a recomputed epoch's is another. */
const objectIds = new WeakMap();
let objectsSeen = 0; // a WeakMap has no size
export const idOf = (object) => {
  if (object === null || typeof object !== "object") return null;
  if (!objectIds.has(object)) objectIds.set(object, (objectsSeen += 1));
  return objectIds.get(object);
};

/**
 * What a card shows, as one string: the factor (its value included), its place and colour,
 * the Jacobian it reads, the numbers its worked entry uses, and for a direct partial the
 * term's k and t (its label).
 */
function cardKey(factor, term, { index, colour, value, numbers, digits = 4, operandDigits = null }) {
  const templates = (factor.entry ?? []).flat().join(" ");
  const used = [...new Set([...templates.matchAll(PLACEHOLDER_NAME)].map((match) => match[1]))]
    .map((name) => [name, numbers.get(name)?.latex ?? null, numbers.get(name)?.value ?? null]);
  const jacobian = factor.value === null ? idOf(value) : null;
  const direct = factor.kind === "direct" ? [term.k, term.t] : null;
  return JSON.stringify([index, colour, factor, jacobian, direct, used, digits, operandDigits]);
}

/** Views whose elements a new view may take: the last three (a step's terms come back to a card). */
const VIEWS_KEPT = 3;

/**
 * Elements of the last views drawn, by a key naming all they show. begin(view) before a view
 * is drawn (again, or another): the drawings before become the ones to take from (those of the
 * last VIEWS_KEPT views); begin(view, {ahead: true}) for one drawn ahead, under the panel shown. keep(key, build) moves an earlier element (if accept(it)) into the
 * new drawing, else builds one; each is taken once per drawing.
 */
export function createShelf() {
  let earlier = []; // [{view, elements}], newest first
  let current = { view: null, elements: new Map() };
  return {
    begin(view, { ahead = false } = {}) {
      earlier = [current, ...earlier];
      const views = [...new Set(earlier.map((drawing) => drawing.view))].slice(0, VIEWS_KEPT);
      earlier = earlier.filter((drawing) => views.includes(drawing.view));
      current = { view, elements: new Map(), ahead };
    },
    keep(key, build, accept = () => true) {
      // The views drawn first (their elements stay where they are), then one drawn ahead.
      const holder = earlier.find((drawing) => !drawing.ahead && drawing.elements.has(key)) ??
        earlier.find((drawing) => drawing.elements.has(key));
      const kept = holder?.elements.get(key);
      // A view drawn ahead takes nothing from the views drawn: what it shares with them is
      // built again for it (it may be shown as drawn), and the next view takes either.
      if (current.ahead && kept) {
        const element = build();
        if (!current.elements.has(key)) current.elements.set(key, element);
        return element;
      }
      for (const drawing of earlier) drawing.elements.delete(key);
      const element = kept && accept(kept) ? kept : build();
      // As a new one would be: its tables of numbers closed.
      if (element === kept) for (const details of kept.querySelectorAll("details[open]")) details.open = false;
      if (!current.elements.has(key)) current.elements.set(key, element);
      return element;
    },
  };
}

/**
 * The card of factor `drawn.index` of `term`: the one an earlier term drew if it looks the
 * same, showing this term's entry in view, else a new one.
 */
export function factorCardFrom(shelf, factor, term, context, drawn) {
  const colour = context.colourOf(factor.edge);
  const build = () => factorCard(factor, term, context, { ...drawn, colour });
  const card = shelf.keep(cardKey(factor, term, { ...drawn, colour }), build);
  card.termId = term.id; // its picks are this term's now
  const entry = pickedEntry(term.id, drawn.index);
  if (JSON.stringify(card.entry) !== JSON.stringify(entry)) card.worked?.pick?.(...entry); // none: a stand-in
  return card;
}

/** A factor's value; large recurrent factors come as null and live in the record's jacobian. */
function factorValueElement(factor, jacobianAt, digits) {
  if (factor.value !== null || factor.kind !== "recurrent") {
    return valueElement(factor.value, { name: factor.symbol, digits });
  }
  const jacobian = jacobianAt(factor.step);
  if (jacobian === null || jacobian === undefined) {
    return createHTML("span", { class: "value note", text: `the Jacobian of step ${factor.step} is not on the page` });
  }
  const element = valueElement(jacobian, { name: `${factor.symbol}, the Jacobian of step ${factor.step}` });
  element.dataset.source = `jacobian:${factor.step}`;
  return element;
}

function factorCard(factor, term, { jacobianAt }, { index, value, numbers, colour, digits = 4, operandDigits: given = null }) {
  const shared = factor.parts?.length ? sharedDigits(factor, value, numbers, digits, given) : null;
  const operandDigits = shared?.worked ?? given;
  const parts = factor.parts?.length ? factorParts(factor, value, numbers, digits, shared?.counts) : null;
  const worked = workedFactor(factor, value, numbers, { termId: term.id, index, typeset, onDraw: parts?.draw, digits, operandDigits });
  const card = createHTML("div", {
    class: `factor factor-${factor.kind}`,
    "data-edge": factor.edge,
    "data-shape": matrixShape(null, factor.shape).join("×"),
    style: { "--factor-colour": colour },
  }, [
    typeset(`\\textcolor{${colour}}{${factor.latex}}`, { className: "math symbol" }),
    typeset(`= ${factor.formula}`, { className: "math factor-formula" }),
    worked,
    factorValueElement(factor, jacobianAt, digits),
    shapeTag(matrixShape(null, factor.shape), factor.symbol),
    parts,
    factor.kind === "direct" ? createHTML("span", { class: "direct-label", text: directLabel(factor, term) }) : null,
  ]);
  card.termId = term.id;
  card.entry = pickedEntry(term.id, index);
  routePicks(card, worked, term.id, index);
  pickOnClick(card, worked);
  card.worked = worked;
  return card;
}

/**
 * A pick in a card (a cell clicked, the picker changed, the product's entry) is the entry in
 * view of the term the card now shows (card.termId), not of the term it was built for.
 */
function routePicks(card, worked, builtFor, index) {
  if (!worked.pick) return;
  const draw = worked.pick; // draws the entry and keeps it as builtFor's
  worked.pick = (i, j) => {
    const theirs = pickedEntry(builtFor, index);
    draw(i, j);
    card.entry = [i, j];
    if (card.termId === builtFor) return;
    pickEntry(builtFor, index, theirs);
    pickEntry(card.termId, index, [i, j]);
  };
  // The picker's own listener would keep the entry as builtFor's: a kept card's goes through pick.
  card.addEventListener("change", (event) => {
    const picker = event.target.closest?.(".entry-picker");
    if (!picker || !worked.contains(picker)) return;
    event.stopPropagation();
    const row = picker.querySelector(".entry-row");
    const column = picker.querySelector(".entry-column");
    worked.pick(row ? Number(row.value) : 0, column ? Number(column.value) : 0);
  }, true);
}

/**
 * A factor the notes write as a product (sigmoid + BCE: ∂ℓ/∂ŷ · ∂ŷ/∂z), beneath its value:
 * each part worked out from its numbers, then the parts' values multiplied, for the entry in
 * view (workedParts; the card's worked entry redraws it when another entry is picked), the
 * product's value at the card's `digits`.
 */
function factorParts(factor, value, numbers, digits, shared) {
  return workedParts(factor, value, numbers, { typeset, digits, shared });
}

/**
 * A card of one number with parts (sigmoid + BCE's loss factor: ŷ − y, then −y/ŷ + ..., ŷ(1 − ŷ)):
 * each number written with one count in all its lines (ŷ_3 alike in the three), the most any
 * of them needs, when every line still works out at it. {worked: the worked line's counts,
 * counts: "name:index" -> count} or null (a matrix, or a line that would not work out).
 */
function sharedDigits(factor, value, numbers, digits, given) {
  const result = flatten(value ?? [])[0];
  const first = entryTemplate(factor.entry, [1, 1], 0, 0)?.template;
  if (flatten(value ?? []).length !== 1 || !first || !Number.isFinite(result)) return null;
  const partValues = factor.parts.map((part) => flatten(part.value)[0]);
  const partDigits = productDigits(partValues, result, "·", digits);
  const lines = [[first, result, digits, given], ...factor.parts.map((part, n) => [entryTemplate(part.entry, [1, 1], 0, 0)?.template, partValues[n], partDigits[n], null])];
  if (lines.some(([template, number]) => !template || !Number.isFinite(number))) return null;
  const worked = lines.map(([template, number, count, own]) => ({ template, number, count, ...workedEntry(template, numbers, 0, 0, number, count, own) }));
  const counts = new Map();
  for (const line of worked) line.used.forEach(([name, where], n) => counts.set(`${name}:${where}`, Math.max(counts.get(`${name}:${where}`) ?? 0, line.digits[n])));
  const countsOf = (line) => line.used.map(([name, where]) => counts.get(`${name}:${where}`));
  const works = worked.every((line) => {
    const decimals = line.used.map(([, , number], n) => exact.shown(number, countsOf(line)[n]));
    const redone = templateValue(line.template, decimals);
    return redone !== null && exact.roundsTo(redone, line.number, line.count);
  });
  return works ? { worked: countsOf(worked[0]), counts } : null;
}

function directLabel(factor, term) {
  // Into ŷ_k: h_k held fixed; into the state at t (h_t, or c_t for the LSTM): the state at t − 1.
  const target = factor.edge.split("->")[1] ?? "";
  const held = target.startsWith("yhat_") ? `h_${term.k}` : `the state at t − 1 = ${term.t - 1}`;
  return `direct partial ∂⁺: ${held} held fixed`;
}
