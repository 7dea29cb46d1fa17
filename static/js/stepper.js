// The stepping controller: the cursor through the views, the → presses waiting while a request
// is on its way, the requests (act), and a session state taken whole (adopt) or grown from a
// step's answer (receive). It changes the page state (pagestate.js); render.js draws it.

import { api, ApiError } from "./api.js";
import { computeLayout, prepareGraph, renderGraph } from "./graph.js";
import { fillEditor } from "./editor.js";
import { stateAfterStep, writeAddress } from "./session.js";
import { viewsForRecord, viewsFromState } from "./timeline.js";
import { classroomAdopted } from "./follow.js";
import { announce } from "./announce.js";
import { MAX_PENDING, askSums, currentView, epochOf, findView, page, rememberEpoch, sumsReady, termOf } from "./pagestate.js";
import { render, renderButtons, revealPanel, showError } from "./render.js";
import { stopPreview } from "./prepare.js";

const $ = (id) => document.getElementById(id);

const hooks = { follow: null }; // follow(id): a read-only page follows that session (null: none)

/** From main.js: how a read-only page follows its session's events (watchsession.js). */
export function setUpStepper({ follow }) {
  hooks.follow = follow;
}

/**
 * Take a whole session state: its views, its graph, at its latest view or at `wantedView`. A
 * term's view is drawn once, with its factors and its sums' digits (both asked for just now):
 * until then the page shows what it showed (a fresh page: nothing, no session id on the body)
 * and presses wait, so that no one reads the new graph beside the old panel, or the step's
 * whole path lit while the term's factors are on their way. Resolves once drawn. options:
 * the sentence the view says if it has none of its own (notice); follow: false, a read-only
 * page that follows nothing (a view rebuilt from a link).
 */
export function adopt(state, token, wantedView = null, { notice = "", follow = true } = {}) {
  hooks.follow(token || !follow ? null : state.id);
  page.token = token;
  page.state = state;
  page.terms.clear();
  page.epochs.clear();
  page.sums.clear();
  rememberEpoch(page, state);
  askSums(page, state);
  page.views = viewsFromState(state);
  page.cursor = page.views.length - 1;
  page.notice = "";
  if (wantedView) goToWanted(state, wantedView);
  page.notice ||= notice; // the view's own notice (goToWanted's) first
  const view = currentView(page);
  const term = termOf(page, view);
  if (!term) return Promise.resolve(drawAdopted(state, token));
  page.busy = true;
  return Promise.all([page.terms.load(view.epoch, term), sumsReady(page, state.epoch)]).then(() => {
    if (page.state !== state) return; // another session taken meanwhile: it draws itself
    page.busy = false;
    drawAdopted(state, token);
    drainPresses();
  });
}

/** The adopted state drawn whole: its graph, the editor, the address, the view. */
function drawAdopted(state, token) {
  page.graph = renderGraph($("graph"), computeLayout(prepareGraph(state.graph)));
  fillEditor($("editor"), state);
  $("preset-picker").value = state.preset ?? "";
  writeAddress({ preset: state.preset, session: state.id });
  document.body.dataset.sessionId = state.id;
  classroomAdopted(state, token);
  render();
}

/** The cursor at the view an address names, or a notice when the server no longer keeps it. */
function goToWanted(state, wantedView) {
  const found = findView(page, wantedView);
  if (found !== null) page.cursor = found;
  const epoch = Number(wantedView.match(/^e(\d+)-/)?.[1]);
  if (found === null && epoch && epoch !== state.epoch) {
    // The state holds this epoch's records only: say so rather than silently change the view.
    page.notice = `The view from epoch ${epoch} (${wantedView}) isn't kept by the server; showing epoch ${state.epoch}.`;
  }
}

/** A command to the server: a step, train, reset, start, or send(id, token) -> state. */
export async function act(action, send = null) {
  if (page.busy || !page.state || !page.token) return;
  stopPreview();
  page.busy = true; // further commands wait, presses of → queue
  const busyShown = setTimeout(showBusy, BUSY_SHOWN_AFTER_MS);
  showError("");
  try {
    receive(action, await request(action, send));
    // A backward step opens on its first term: its factors before the one drawing of the view.
    const shown = termOf(page, currentView(page));
    const first = shown ? page.terms.load(currentView(page).epoch, shown) : null;
    await first;
    if (action === "backward") await sumsReady(page, page.state.epoch); // the sums' digits, if on their way
  } catch (error) {
    page.pendingRight = 0; // a refused step: the presses queued after it are dropped
    showError(error instanceof ApiError ? error.message : `The request failed: ${error.message}`);
  } finally {
    clearTimeout(busyShown);
    page.busy = false;
    document.body.classList.remove("busy");
    page.notice = "";
    render();
    revealPanel();
  }
  drainPresses();
}

// An answer within this is drawn with no "working…" frame before it (a step's, in a few ms):
// the buttons are not disabled and enabled again around it, and the frame that shows the
// step is not held up behind one that shows the wait.
const BUSY_SHOWN_AFTER_MS = 150;

/** A command still on its way: the status says "working…", the buttons why they wait. */
function showBusy() {
  document.body.classList.add("busy");
  renderButtons();
}

/** The session state after the command, from its answer. */
async function request(action, send) {
  const { id } = page.state;
  if (send) return send(id, page.token);
  if (action === "train") return api.train(id, page.token, 1);
  if (action === "reset") return api.reset(id, page.token, "epoch");
  if (action === "start") return api.reset(id, page.token, "start");
  const { first_term: first, ...answer } = await api.step(id, page.token, action);
  if (first) page.terms.hold(first.epoch, first); // the term the step opens on
  return stateAfterStep(page.state, action, answer);
}

/** Add the views of what the server just computed and show the first of them. */
function receive(action, state) {
  page.state = state;
  if (action === "start") {
    page.epochs.clear(); // the session is as created: what came before no longer happened
    page.terms.clear();
    page.sums.clear();
    page.views = [];
  }
  rememberEpoch(page, state);
  if (action === "scale" || action === "truncate" || action === "optimizer") {
    page.sums.delete(state.epoch); // other terms: asked for again, the view drawn again with them
    askSums(page, state);
    sumsReady(page, state.epoch).then((held) => held && !page.busy && page.state?.id === state.id && render());
    return recomputed(state);
  }
  askSums(page, state);
  if (action === "reset" || action === "start") {
    page.views = page.views.filter((view) => view.kind === "update" || view.epoch !== state.epoch);
    page.cursor = page.views.length - 1;
    return;
  }
  let added = [];
  if (action === "forward") added = viewsForRecord(state, "forward", state.forward.length - 1);
  if (action === "backward") added = viewsForRecord(state, "backward", state.backward.length - 1);
  if ((action === "update" || action === "train") && state.last_update) {
    added = [{ kind: "update", epoch: state.last_update.epoch, record: state.last_update }];
  }
  page.views.push(...added);
  page.cursor = page.views.length - added.length;
  if (!added.length) page.cursor = page.views.length - 1;
}

/**
 * The epoch's records were computed again (other weights, or another window): its views and
 * the terms fetched for it are replaced by the new ones.
 */
function recomputed(state) {
  page.terms.clear();
  page.views = page.views.filter((view) => view.kind === "update" || view.epoch !== state.epoch);
  state.forward.forEach((_, index) => page.views.push(...viewsForRecord(state, "forward", index)));
  state.backward.forEach((_, index) => page.views.push(...viewsForRecord(state, "backward", index)));
  page.cursor = page.views.length - 1;
}

/** Queued presses: views the page holds are shown at once; a request stops the loop (busy). */
function drainPresses() {
  while (page.pendingRight > 0 && !page.busy) {
    page.pendingRight -= 1;
    stepRight();
  }
}

export function show(index, { fromList = false } = {}) {
  page.fromList = fromList;
  page.cursor = index;
  page.notice = "";
  render();
  revealPanel();
}

/** Show term `termId` ("W_h:3:2") of the current epoch in the backward view (a heat-map cell). */
export function openTerm(termId) {
  const index = page.views.findIndex((shown) => shown.kind === "backward" && shown.term !== null
    && shown.epoch === page.state.epoch && epochOf(page, shown).backward[shown.index].terms[shown.term]?.id === termId);
  if (index < 0) return;
  show(index);
  $("formula").scrollIntoView({ block: "start", behavior: "instant" });
}

/** Show the view named `key` ("e1-backward-3-2") if the page holds it; false if not. */
export function goToView(key) {
  if (!page.state) return false;
  const found = findView(page, key);
  if (found === null) return false;
  if (found !== page.cursor) show(found);
  return true;
}

function stepRight() {
  page.fromList = false;
  if (page.cursor < page.views.length - 1) return showHeld(page.cursor + 1); // the page holds it
  const phase = page.state?.phase;
  if (phase !== "forward" && phase !== "backward" && phase !== "update") return;
  // the keys act only as the button would: after an overflow (or read-only) they say why
  const button = $(`${phase}-button`);
  if (button.disabled) return announce(button.title);
  act(phase);
}

/**
 * A view the page holds; if its term's factors are on their way (prefetched, not yet here),
 * the view is drawn once they arrive (once, with no "Fetching…" first); presses meanwhile wait.
 */
async function showHeld(index) {
  const held = page.views[index];
  const term = termOf(page, held);
  const waiting = term && page.terms.pending(held.epoch, term);
  if (waiting) {
    page.busy = true;
    await waiting;
    page.busy = false;
    if (page.views[index] !== held) return; // another session or epoch came meanwhile
  }
  show(index);
  drainPresses();
}

function stepLeft() {
  if (page.cursor >= 0) show(page.cursor - 1); // no request: the records are kept
}

/** A press of → ("next") or ← ("previous"): false when it does nothing here. */
export function press(wanted) {
  if (wanted === "next" && page.busy) page.pendingRight = Math.min(page.pendingRight + 1, MAX_PENDING);
  else if (wanted === "next") stepRight();
  else if (wanted === "previous" && !page.busy) stepLeft();
  else return false;
  return true;
}

/** Ahead of the next →: the factors of the term it shows, if the page holds that view. */
export function prefetchNext() {
  const next = page.views[page.cursor + 1];
  const term = termOf(page, next);
  if (term) page.terms.prefetch(next.epoch, term);
}

/** A term's factors arrived: drawn if the view shows that term (a prefetch draws nothing). */
export function termArrived(key) {
  const shown = currentView(page);
  const term = termOf(page, shown);
  // While busy, the press (or command) on its way draws the view when it ends.
  if (page.busy || !term || page.terms.keyOf(shown.epoch, term) !== key) return;
  render();
  revealPanel(); // the term's value line, now that it is drawn
}

