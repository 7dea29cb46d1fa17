// The steps the page has received, as views a person can walk back and forth through.
// A view is {kind: "forward" | "backward" | "update", epoch, index, term}; nothing here is maths,
// only picking which of the server's records and values belong to a view.

/** The views for the records in a session state: forward steps, each backward term, the update. */
export function viewsFromState(state) {
  const views = [];
  if (state.last_update) views.push({ kind: "update", epoch: state.last_update.epoch, record: state.last_update });
  state.forward.forEach((_, index) => views.push(...viewsForRecord(state, "forward", index)));
  state.backward.forEach((_, index) => views.push(...viewsForRecord(state, "backward", index)));
  return views;
}

/**
 * One view per forward record; one view per term of a backward record (or one if it has none).
 * A step whose every term the truncation window drops opens on its own values (no term
 * completes there), then walks the dropped terms, greyed.
 */
export function viewsForRecord(state, kind, index) {
  if (kind === "forward") return [{ kind, epoch: state.epoch, index }];
  const terms = state.backward[index].terms;
  const none = { kind, epoch: state.epoch, index, term: null };
  if (!terms.length) return [none];
  const views = terms.map((_, term) => ({ kind, epoch: state.epoch, index, term }));
  return terms.every((term) => term.dropped) ? [none, ...views] : views;
}

/** The record a view shows, from the epoch's records. */
export function recordOf(view, epoch) {
  if (view.kind === "update") return view.record;
  return view.kind === "forward" ? epoch.forward[view.index] : epoch.backward[view.index];
}

/**
 * Node id -> value as the server computed it, for what is known at this view. The update's
 * view shows the new weights and only what belongs to them: the loss they give (L after, the
 * server's forward pass with them), the initial state, and no h_t, ŷ_t or ℓ_t (those come
 * with the next epoch's forward steps), never the old epoch's values beside the new weights.
 */
export function nodeValues(view, epoch, state) {
  const values = new Map();
  const inputs = epoch.inputs ?? state.inputs;
  inputs.forEach((x, index) => values.set(`x_${index + 1}`, x));
  const update = view?.kind === "update" ? view.record : null;
  const params = update ? { ...epoch.params, ...update.params_new } : epoch.params;
  for (const [name, value] of Object.entries(params)) values.set(name, value);
  const states = state.cell?.states ?? ["h"]; // h, and c for the LSTM
  for (const s of states) values.set(`${s}_0`, params[`${s}0`] ?? epoch.forward[0]?.[`${s}_prev`]);
  if (update) {
    if (update.loss_after !== undefined) values.set("L", update.loss_after);
    return values;
  }
  const known = !view ? 0 : view.kind === "forward" ? view.index + 1 : epoch.forward.length;
  for (const record of epoch.forward.slice(0, known)) {
    for (const s of states) values.set(`${s}_${record.t}`, record[s]);
    if (record.loss !== null || record.yhat !== null) {
      values.set(`yhat_${record.t}`, record.yhat);
      values.set(`loss_${record.t}`, record.loss);
    }
  }
  if (known === epoch.T) values.set("L", epoch.forward[known - 1].loss_so_far);
  return values;
}

/** A sentence saying what a view shows, for the screen reader and the status area. */
export function describeView(view, epoch) {
  if (!view) return `Showing the start of epoch ${epoch.epoch}.`;
  if (view.kind === "update") {
    return `Showing the update of epoch ${view.epoch}. The graph holds the new weights and ` +
      `the loss L they give; their h_t, ŷ_t and ℓ_t come with epoch ${view.epoch + 1}'s forward steps.`;
  }
  const record = recordOf(view, epoch);
  if (view.kind === "forward") return `Showing forward step t = ${record.t}, epoch ${view.epoch}.`;
  const terms = view.term === null ? "" : `, term ${view.term + 1} of ${record.terms.length}`;
  return `Showing backward step t = ${record.t}${terms}, epoch ${view.epoch}.`;
}

/** A name for a view that survives a reload (?view=...): "e1-start", "e2-forward-3", ... */
export function viewKey(view, epoch) {
  if (!view) return `e${epoch.epoch}-start`;
  if (view.kind === "update") return `e${view.epoch}-update`;
  const { t } = recordOf(view, epoch);
  if (view.kind === "forward") return `e${view.epoch}-forward-${t}`;
  return `e${view.epoch}-backward-${t}${view.term === null ? "" : `-${view.term + 1}`}`;
}

/**
 * What the start of the walk (before the first view) shows: the epoch of the first view (or the
 * current one) with the weights that epoch used, from the page's records of it or else from
 * the update that ended it (params_old).
 */
export function startEpoch(views, epochs, state) {
  const first = views[0];
  const number = first?.epoch ?? state.epoch;
  if (epochs.has(number)) return epochs.get(number);
  const update = first?.kind === "update" ? first.record : null;
  const params = update ? update.params_old : state.params;
  const optimizer_state = update ? update.state_before : state.optimizer_state;
  return { epoch: number, T: state.T, forward: [], backward: [], params, inputs: state.inputs, config: state.config, optimizer_state };
}

/**
 * Whether the view at `cursor` belongs to the session's latest step (the last view received, or
 * another term of that step): there the server's status sentence is the place of the view shown.
 */
export function isLatestStep(views, cursor) {
  if (cursor === views.length - 1) return true;
  const view = views[cursor]; // undefined at the start (cursor -1), before every view
  const last = views.at(-1);
  return Boolean(view) && view.kind === last.kind && view.epoch === last.epoch && view.index === last.index;
}

/**
 * A view in a phrase for the status line: "backward t = 3, term 2 of 3 for W_h"; its epoch
 * named when it is not the session's (`current`), which the session's sentence names.
 */
export function viewPhrase(view, epoch, current) {
  if (!view) return `the start of epoch ${epoch.epoch}`;
  if (view.kind === "update") return `the update of epoch ${view.epoch}`;
  const record = recordOf(view, epoch);
  const where = view.epoch === current ? "" : `, epoch ${view.epoch}`;
  if (view.kind === "forward" || view.term === null) return `${view.kind} t = ${record.t}${where}`;
  const term = `term ${view.term + 1} of ${record.terms.length} for ${record.terms[view.term].param}`;
  return `backward t = ${record.t}, ${term}${where}`;
}

/**
 * The status line. At the session's latest step: the server's sentence, as it is. Walked back
 * to an earlier view: that view first, then where the session is, so that nobody reads the
 * session's place beside another step's numbers.
 */
export function statusLine(state, view, epoch, latest) {
  return latest ? state.status : `Viewing ${viewPhrase(view, epoch, state.epoch)}; the session: ${state.status}`;
}
