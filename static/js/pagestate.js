// The page's state, in one object: the session state the server sent, every view received (each
// step and term, in order), which one is shown, and what is on its way. The stepper changes it,
// the renderer draws it; the questions asked of it here (which view, which epoch, which term)
// read it and change nothing.

import { startEpoch, viewKey } from "./timeline.js";
import { digitsThatMakeAll, exact, isSingle, sumDigits } from "./format.js";
import { api } from "./api.js";

/** At most this many → presses wait while a request is on its way. */
export const MAX_PENDING = 10;

/** The page's one state. */
export const page = createPageState();

function createPageState() {
  return {
    presets: [],
    state: null, // the latest session state: from the server, or built from a step's answer
    token: null, // null: a shared link, read-only
    epochs: new Map(), // epoch number -> that epoch's records, params and inputs
    views: [], // every step (and term) received, in order
    cursor: -1, // which view is shown; -1 is the start of the first view's epoch
    busy: false,
    pendingRight: 0, // → presses waiting while a request is on its way (at most MAX_PENDING)
    graph: null, // the rendered SVG's elements by id
    terms: null, // the terms' factors by "epoch:param:k:t" (termcache.js)
    sums: new Map(), // epoch -> { asked: the request (resolves once kept), chains: each parameter's sums with their digits, factors: each factor's digits (null until answered) }
    following: null, // { id, stop } while a read-only page follows the session's events
    notice: "", // a sentence about the view asked for (not kept, or rebuilt from a link)
    fromList: false, // the view shown was picked from the term list further down
  };
}

/** Keep an epoch's records, weights and inputs, for walking back into it later. */
export function rememberEpoch(page, state) {
  const { epoch, T, forward, backward, params, inputs, config, optimizer_state } = state;
  page.epochs.set(epoch, { epoch, T, forward, backward, params, inputs, config, optimizer_state });
}

export function currentView(page) {
  return page.cursor >= 0 ? page.views[page.cursor] : null;
}

/** The epoch a view belongs to, with its records and weights. */
export function epochOf(page, view) {
  if (!view) return startEpoch(page.views, page.epochs, page.state);
  return page.epochs.get(view.epoch) ?? page.epochs.get(page.state.epoch);
}

/** The term shown by a view (a backward view with a term), or null. */
export function termOf(page, view) {
  if (view?.kind !== "backward" || view.term === null) return null;
  return epochOf(page, view).backward[view.index]?.terms[view.term] ?? null;
}

/** The name of the view shown ("e1-backward-3-2"), as the address and the classroom say it. */
export function currentKey(page) {
  const view = currentView(page);
  return viewKey(view, epochOf(page, view));
}

/** The cursor of the view named `key` (-1: the start), or null when the page does not hold it. */
export function findView(page, key) {
  const found = [null, ...page.views].findIndex((view) => viewKey(view, epochOf(page, view)) === key);
  return found < 0 ? null : found - 1;
}

/** Where a term comes in the epoch's walk: by t from T down, by parameter, kept before dropped, by k. */
function placeOf(entry, order) {
  const [, k, t] = entry.id.split(":").map(Number);
  return [-t, order, entry.dropped ? 1 : 0, k];
}

const walkedBefore = (a, b) => {
  const n = a.findIndex((x, i) => x !== b[i]);
  return n >= 0 && a[n] < b[n];
};

/**
 * Ask for the epoch's running sums (GET .../sums) once its forward pass is complete, so that
 * each sum is written alike in every view (rememberSums); only a model with a parameter of one
 * number has any, and an epoch's are asked for once. After any command (a step, Run epoch, a
 * reset) and when a state is taken whole.
 */
export function askSums(page, state) {
  const epoch = state.epoch;
  if (state.phase === "forward" || page.sums.has(epoch) || !Object.values(state.params ?? {}).some(isSingle)) return;
  const entry = { asked: null, chains: null, factors: null };
  entry.asked = api.sums(state.id, epoch)
    .then((answer) => {
      if (page.sums.get(epoch) === entry) rememberSums(entry, answer.sums); // else forgotten meanwhile
    })
    .catch(() => page.sums.get(epoch) === entry && page.sums.delete(epoch)); // each view's own digits
  page.sums.set(epoch, entry);
}

/**
 * The epoch's running sums once they are here: a promise of true when the page holds them
 * (asked for and answered), false when there are none (not asked, or refused). The one wait
 * of the press, a page opened on a term and a view drawn ahead.
 */
export function sumsReady(page, epoch) {
  const entry = page.sums.get(epoch);
  if (!entry) return Promise.resolve(false);
  return entry.asked.then(() => page.sums.get(epoch)?.chains != null, () => false);
}

/**
 * Keep an epoch's running sums (GET .../sums: per parameter of one number, its terms in the
 * order walked) with the digits each sum is written with in every view (format.js
 * sumDigits): by parameter.
 */
function rememberSums(entry, sums) {
  const factors = new Map(); // a factor's symbol -> its digits in every term view of the epoch
  entry.chains = new Map(Object.entries(sums).map(([param, chain], order) => {
    const digits = sumDigits(chain);
    chain.forEach((item, n) => askFactors(factors, item, digits[n].term));
    return [param, chain.map((item, n) => ({ id: item.id, place: placeOf(item, order), digits: digits[n] }))];
  }));
  entry.factors = factors;
}

const productOf = (decimals) => decimals.reduce(exact.multiply);

/**
 * One count per factor across the epoch's term views (∂ℓ_3/∂z_3, ∂h_3/∂h_2 read alike in
 * every view that writes them): the most digits any term's product needs of it to give the
 * term as its view writes it (`termCount`, format.js digitsThatMakeAll).
 */
function askFactors(factors, item, termCount) {
  const numbers = (item.factors ?? []).map((factor) => factor.value);
  if (item.dropped || !numbers.length || ![...numbers, item.value].every(Number.isFinite)) return;
  const counts = digitsThatMakeAll(numbers, [{ combine: productOf, result: item.value, digits: termCount }], numbers.map(() => 4));
  item.factors.forEach(({ symbol }, n) => factors.set(symbol, Math.max(factors.get(symbol) ?? 4, counts[n])));
}

/**
 * The digits of the sums term `termId`'s view writes: {before, term, running} for its own,
 * and `others`, parameter -> the count its sum so far is written with there (that of its
 * last term walked before this one, as that view wrote it), and `factors`, a factor's symbol ->
 * its count in every term view (askFactors). null without the epoch's sums.
 */
export function sumsAt(page, epoch, termId) {
  const chains = page.sums.get(epoch)?.chains;
  const param = termId.split(":")[0];
  const own = chains?.get(param)?.find((entry) => entry.id === termId);
  if (!own) return null;
  const others = new Map();
  for (const [name, chain] of chains) {
    const last = chain.filter((entry) => walkedBefore(entry.place, own.place)).at(-1);
    if (last) others.set(name, last.digits.running);
  }
  others.set(param, own.digits.running);
  return { ...own.digits, others, factors: page.sums.get(epoch).factors };
}
