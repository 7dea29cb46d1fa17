// For screen readers: after each step and each term, one short sentence in a live region
// (what was computed, its value, which term of how many), not the whole formula panel.

import { flatten, formatNumber, shapeOf } from "./format.js";

let last = "";

/** A value read aloud: the number, or its shape and its largest entry. */
export function spoken(value) {
  if (value === undefined) return "not computed yet";
  const numbers = flatten(value);
  if (numbers.length === 1) return formatNumber(numbers[0]);
  const finite = numbers.filter((number) => number !== null);
  const largest = finite.reduce((top, number) => (Math.abs(number) > Math.abs(top) ? number : top), 0);
  return `a ${shapeOf(value).join(" by ")} ${shapeOf(value).length > 1 ? "matrix" : "vector"}, largest entry ${formatNumber(largest)}`;
}

/** The sentence for a view: record is its step's record, term its term in full (or null). */
export function sentence(view, record, term) {
  if (!view) return "";
  if (view.kind === "forward") {
    const loss = record.loss === null || record.loss === undefined ? "" : `, loss ℓ${record.t} = ${spoken(record.loss)}`;
    return `Forward step t = ${record.t}: h${record.t} = ${spoken(record.h)}${loss}.`;
  }
  if (view.kind === "update") {
    return `Update of epoch ${view.epoch}: the old weights gave L = ${spoken(record.loss_before)}, ` +
      `the new weights (on the graph) give L = ${spoken(record.loss_after)}.`;
  }
  if (view.term === null) return `Backward step t = ${record.t}: no chain-rule term completes here.`;
  const summary = record.terms[view.term];
  const which = `Backward step t = ${record.t}, term ${view.term + 1} of ${record.terms.length}`;
  const what = `derivative of the loss at step ${summary.k} with respect to ${summary.param}, used at t = ${summary.t}` +
    (summary.dropped ? ", dropped by truncation: not added to the sum" : "");
  if (!term || term.error) return `${which}: ${what}.`;
  return `${which}: ${what}, equals ${spoken(term.value)}; the sum so far is ${spoken(term.running)}.`;
}

/** Say `text` once (the same sentence again is not repeated). */
export function announce(text) {
  if (!text || text === last) return;
  last = text;
  const region = document.getElementById("announce");
  if (region) region.textContent = text;
}
