// Links that hold the whole view: the address written at every view (address.js's table), a
// link opened where its session is gone rebuilt by the server (POST /api/links, read-only),
// and the "Copy link" button (a saved scenario when the link is too long for an address).

import { api } from "./api.js";
import {
  MAX_ADDRESS, addressChanges, canRebuild, linkBody, linkOf, linkQuery, scenarioOf,
} from "./address.js";

const saved = new Map(); // the scenario part's query string -> its saved name
const $ = (id) => document.getElementById(id);

/**
 * What the epoch a view belongs to started from: its weights and the optimiser's state (an
 * update's: those it started from), and whether its update was made by training.
 */
function startOf(view, epoch) {
  if (view?.kind === "update") {
    const { params_old: weights, state_before: optimizerState, trained } = view.record;
    return { weights, optimizerState, trained };
  }
  return { weights: epoch.params, optimizerState: epoch.optimizer_state ?? null, trained: false };
}

/** The whole link of the view shown: session, scenario, the epoch's start, the view. */
export function currentLink(state, view, epoch, key, presets) {
  const preset = presets.find((p) => p.id === state.preset) ?? null;
  return linkOf(state, key, startOf(view, epoch), preset);
}

const urlOf = (query) => `${window.location.origin}/?${query}`;

/** What the address bar holds for a link: all of it, or a short form when too long. */
export function addressFor(link) {
  if (urlOf(linkQuery(link)).length <= MAX_ADDRESS) return addressChanges(link);
  const name = saved.get(linkQuery(scenarioOf(link)));
  const { session, preset, view, trained } = link;
  return addressChanges({ session, preset, saved: name, view, trained });
}

/** The link to hand out: the whole view, or a saved scenario's short link. */
export async function shareableLink(link) {
  const full = urlOf(linkQuery(link));
  if (full.length <= MAX_ADDRESS) return full;
  const scenario = scenarioOf(link);
  const key = linkQuery(scenario);
  if (!saved.has(key)) saved.set(key, (await api.saveScenario(scenario)).name);
  const { session, view, trained } = link;
  return urlOf(linkQuery({ session, saved: saved.get(key), view, trained }));
}

/** Copy the view's link (the clipboard when allowed) and show it, selected, to copy by hand. */
export async function copyLink(link) {
  const url = await shareableLink(link);
  const box = $("link-box");
  box.hidden = false;
  box.value = url;
  box.select();
  try {
    await navigator.clipboard.writeText(url);
    $("link-note").textContent = "Link copied.";
  } catch {
    $("link-note").textContent = "Copy the link above (Ctrl+C): the browser did not allow the clipboard.";
  }
  return url;
}

export { canRebuild };

/**
 * The scenario a link names, as POST /api/links takes it without `steps` (the view's epoch and
 * weights included), and its T: from the address, or from the saved scenario it names.
 */
export async function linkScenario(link, presets) {
  let scenario = link.preset ? { preset: link.preset } : link.s;
  let { w: weights, o: optimizerState } = link;
  if (!link.s && !link.preset && link.saved) {
    const { weights: savedWeights, optimizer_state: savedState, ...body } = await api.savedScenario(link.saved);
    scenario = body;
    weights = weights ?? savedWeights;
    optimizerState = optimizerState ?? savedState;
  }
  const T = scenario.inputs?.length ?? presets.find((p) => p.id === scenario.preset)?.T;
  const { steps, ...body } = linkBody({ ...link, w: weights, o: optimizerState }, scenario, T);
  return { body, steps, T };
}

/**
 * The link's view rebuilt by the server as a read-only session (its token is never sent), for
 * a link whose session is gone: from its scenario (or saved scenario) and the epoch's start.
 */
export async function rebuildLink(link, presets) {
  const { body, steps } = await linkScenario(link, presets);
  return api.openLink({ ...body, steps });
}
