// The controls' state, said once and truly: which buttons can act (and why not), the loss box,
// and the divergence banner. Only what the session state, its token and a pending request say.

import { createHTML } from "./svg.js";
import { digitsToShowChange, formatNumber } from "./format.js";

const $ = (id) => document.getElementById(id);

/** The server's divergence sentence, and where to go from here: the Start over button. */
export function renderBanner(state, token) {
  const banner = $("diverged-banner");
  banner.hidden = !state.diverged;
  $("start-over-button").classList.toggle("attention", Boolean(state.diverged && token));
  if (!state.diverged) return banner.replaceChildren();
  const hint = token
    ? "“Start over” (above) takes the session back to epoch 1 and its first weights; to change " +
      "the weights, η or clip_norm, use the Scenario editor below."
    : "";
  banner.replaceChildren(
    createHTML("span", { class: "diverged-message", text: state.diverged.message }),
    hint ? createHTML("span", { class: "diverged-hint", text: ` ${hint}` }) : null,
  );
}

/**
 * The loss box, said once and truly for the view shown, as its graph and panel say it: the
 * view's epoch's L once its forward pass is complete there (a forward step t = T, a backward
 * view); before that the loss so far (the sum of the ℓ_k shown, as the forward panel writes
 * it) and, when the epoch's weights are the last update's new ones, the L they give (the
 * update's L after, which the server computed with them). The update's view holds the new
 * weights: the L before and the L after.
 */
export function lossNow(state, view = null, epoch = state) {
  if (view?.kind === "update") return updateLoss(state, view.record);
  const shown = shownSteps(view, epoch);
  if (shown.length && shown.length === epoch.T) return `${formatNumber(shown.at(-1).loss_so_far)} (epoch ${epoch.epoch})`;
  const update = state.last_update;
  const fromUpdate = update?.epoch === epoch.epoch - 1 && update.loss_after !== null
    && Object.entries(update.params_new).every(([name, value]) => JSON.stringify(value) === JSON.stringify(epoch.params?.[name]));
  // The last epoch's L: loss_history's newest (it keeps only the last epochs of a long training).
  const previous = epoch.epoch === state.epoch ? state.loss_history?.at(-1) : undefined;
  const [before, after] = lossesRead(previous, fromUpdate ? update.loss_after : undefined);
  const last = before === undefined ? "" : `epoch ${epoch.epoch - 1}: ${before}; `;
  // The start walked back to, its epoch computed since: nothing of it shown here.
  const stepped = epoch.epoch < state.epoch || epoch.forward.length > 0;
  if (!view && stepped) return `epoch ${epoch.epoch}: its forward pass not stepped at this view`;
  const soFar = shown.length ? lossSoFar(shown, epoch.T) : null;
  let now;
  if (after !== undefined) now = `${after} (L after the update${soFar ? `); ${soFar}` : "; its forward pass not stepped yet)"}`;
  else now = soFar ? `${soFar} (L once the forward pass is complete)` : "not computed yet";
  return `${last}epoch ${epoch.epoch}: ${now}`;
}

/** The forward records a view shows of its epoch: up to its step, all of them past the forward pass. */
function shownSteps(view, epoch) {
  return epoch.forward.slice(0, !view ? 0 : view.kind === "forward" ? view.index + 1 : epoch.forward.length);
}

/** The loss so far at a forward view before the last step (null elsewhere), for the L node. */
export function lossSoFarAt(view, epoch) {
  const shown = view?.kind === "forward" ? shownSteps(view, epoch) : [];
  return shown.length && shown.length < epoch.T ? lossSoFar(shown, epoch.T) : null;
}

/**
 * The loss so far at the last step shown, as the forward panel says it, with the ℓ_k it sums:
 * "so far ℓ_1 + ℓ_2 = 2.559 at t = 2 of 4", or "so far 0 at t = 1 of 3, no loss step yet".
 */
function lossSoFar(shown, T) {
  const { t, loss_so_far: sum } = shown.at(-1);
  const steps = shown.filter((record) => record.loss !== null && record.loss !== undefined).map((record) => `ℓ_${record.t}`);
  if (!steps.length) return `so far ${formatNumber(sum)} at t = ${t} of ${T}, no loss step yet`;
  const terms = steps.length > 3 ? `${steps[0]} + … + ${steps.at(-1)}` : steps.join(" + ");
  return `so far ${terms} = ${formatNumber(sum)} at t = ${t} of ${T}`;
}

/**
 * An epoch's L and the next one's L after, in the page's one number format: with both, the
 * digits that make a change read as one (0.502300 → 0.501600 at 4 digits: 0.5023, 0.5016).
 */
function lossesRead(before, after) {
  const digits = Number.isFinite(before) && Number.isFinite(after) ? digitsToShowChange([before], [after]) : 4;
  const read = (loss) => (loss === undefined ? undefined : loss === null ? "overflowed" : formatNumber(loss, digits));
  return [read(before), read(after)];
}

/** The update's view: the old weights' L before, the new weights' L after (on the graph). */
function updateLoss(state, update) {
  const [before, after] = lossesRead(update.loss_before, update.loss_after);
  const next = update.epoch + 1;
  const unstepped = state.epoch === next && !state.forward.length ? "; its forward pass not stepped yet" : "";
  return `epoch ${update.epoch}: ${before}; epoch ${next}: ${after} (L after the update${unstepped})`;
}

/**
 * Each button enabled only when it can act; a disabled one says why (its title, and the
 * sentence under the buttons). After an overflow only Start over acts (and ← → walk the views).
 */
export function renderButtons({ state, token, busy }) {
  const phase = state?.phase;
  const next = { forward: "step forward", backward: "step backward", update: "update the weights" }[phase];
  const stopped = Boolean(state?.diverged);
  const common = !state ? "No session yet: choose a preset."
    : !token ? "Read-only link: the session's steps are its owner's."
      : busy ? "Waiting for the server's answer."
        : null;
  const overflow = "A value stopped being finite: only “Start over” goes on (or change η, clip_norm or the weights in the Scenario editor).";
  const reasons = {
    "forward-button": common ?? (stopped ? overflow : phase === "forward" ? null : `The forward pass is complete: ${next} next.`),
    "backward-button": common ?? (stopped ? overflow : phase === "backward" ? null : `Not now: ${next} next.`),
    "update-button": common ?? (stopped ? overflow : phase === "update" ? null : `Not yet: ${next} next; the update comes after the backward pass.`),
    "train-button": common ?? (stopped ? overflow : null),
    "reset-button": common ?? (stopped ? overflow : null),
    "start-over-button": common,
  };
  for (const [id, reason] of Object.entries(reasons)) {
    const button = $(id);
    button.dataset.title ??= button.title;
    button.disabled = reason !== null;
    button.title = reason ?? button.dataset.title;
  }
  const why = $("buttons-why");
  why.textContent = stopped && token ? overflow : !state ? reasons["forward-button"] : "";
  why.hidden = !why.textContent;
}
