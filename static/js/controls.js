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
 * The loss box, said once and truly: this epoch's loss; or, while this epoch's forward pass
 * runs, the last epoch's and, when this epoch's weights are the last update's new ones, the
 * loss they give (the update's L after, which the server computed with them).
 */
export function lossNow(state) {
  if (state.loss !== null && state.loss !== undefined) return `${formatNumber(state.loss)} (epoch ${state.epoch})`;
  const last = state.loss_history?.at(-1);
  const update = state.last_update;
  const fromUpdate = update && update.epoch === state.epoch - 1 && update.loss_after !== null
    && Object.entries(update.params_new).every(([name, value]) => JSON.stringify(value) === JSON.stringify(state.params?.[name]));
  // The page's one number format; with L after beside the last epoch's L, the digits that
  // make a change read as one (0.502300 → 0.501600 at 4 digits: 0.5023, 0.5016).
  const digits = fromUpdate && Number.isFinite(last) ? digitsToShowChange([last], [update.loss_after]) : 4;
  const before = last === undefined ? "" : `epoch ${state.epoch - 1}: ${last === null ? "overflowed" : formatNumber(last, digits)}; `;
  if (fromUpdate) return `${before}epoch ${state.epoch}: ${formatNumber(update.loss_after, digits)} (L after the update; its forward pass not stepped yet)`;
  return `${before}epoch ${state.epoch}: not computed yet`;
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
