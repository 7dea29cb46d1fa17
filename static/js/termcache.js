// A term's factors (GET .../terms/{id}), kept by "epoch:param:k:t": fetched when the term is
// first shown, or ahead (the term the next → shows, asked for as a view is drawn), so that a
// press finds them here and draws the term once, with no round trip. Only the session's
// current epoch can be fetched; a failed fetch is kept as {error} (the panel says it).
// Nothing here is drawn: a quiz hides a term's values however they arrived.

import { api } from "./api.js";

/** current() -> {id, epoch} of the session shown (or null); arrived(key) after a fetch ends. */
export function createTermCache({ current, arrived }) {
  const kept = new Map(); // key -> the term in full, or {error}
  const onTheWay = new Map(); // key -> the request's promise
  let generation = 0; // clear() forgets the requests on their way too

  const keyOf = (epoch, term) => `${epoch}:${term.id}`;

  /** The term's factors, fetched if needed; resolves to them (or null: not this epoch's). */
  function load(epoch, term) {
    const key = keyOf(epoch, term);
    if (kept.has(key)) return Promise.resolve(kept.get(key));
    if (onTheWay.has(key)) return onTheWay.get(key);
    const session = current();
    if (!session || epoch !== session.epoch) return Promise.resolve(null);
    const asked = generation;
    const request = api.term(session.id, term.id, epoch)
      .catch((error) => ({ error: `The factors could not be fetched: ${error.message}` }))
      .then((detail) => {
        if (asked !== generation) return null;
        onTheWay.delete(key);
        kept.set(key, detail);
        if (current()?.id === session.id) arrived(key);
        return detail;
      });
    onTheWay.set(key, request);
    return request;
  }

  return {
    keyOf,
    load,
    /** The factors if here (null while on their way: they are asked for, arrived() follows). */
    detail(epoch, term) {
      const key = keyOf(epoch, term);
      if (!kept.has(key)) load(epoch, term);
      return kept.get(key) ?? null;
    },
    /** The factors if here, asking for nothing. */
    peek: (epoch, term) => kept.get(keyOf(epoch, term)) ?? null,
    /** Keep a term that came with another answer (a backward step's first_term). */
    hold(epoch, detail) {
      kept.set(keyOf(epoch, detail), detail);
    },
    /** The request on its way for this term, or null. */
    pending: (epoch, term) => onTheWay.get(keyOf(epoch, term)) ?? null,
    /**
     * Ask for the term's factors ahead (nothing drawn when they arrive): at once, so that the
     * server builds them while the browser lays out and paints the view just drawn.
     */
    prefetch(epoch, term) {
      load(epoch, term);
    },
    clear() {
      generation += 1;
      kept.clear();
      onTheWay.clear();
    },
  };
}
