// The controller: one object holds the page state; buttons and arrow keys change it.

import { api, ApiError } from "./api.js";
import { computeLayout, fitGraph, prepareGraph, renderGraph, showValues } from "./graph.js";
import { renderPanel } from "./panel.js";
import { renderLossChart } from "./chart.js";
import { watchEditor, fillEditor, readEditor, setChoices, showErrors } from "./editor.js";
import {
  followSession, loadToken, readAddress, saveToken, stateAfterStep, writeAddress,
} from "./session.js";
import {
  describeView, nodeValues, recordOf, startEpoch, viewKey, viewsForRecord, viewsFromState,
} from "./timeline.js";
import { createHTML } from "./svg.js";
import { createInsight } from "./insight.js";
import { watchTraining } from "./training.js";
import { watchOptimiser } from "./optimiser.js";
import { lossNow, renderBanner, renderButtons as drawButtons } from "./controls.js";
import { clickerStep, setUpPresenting } from "./present.js";
import { announce, sentence } from "./announce.js";
import {
  catchUpView, classroomAdopted, openCode, setUpClassroom, teacherShows, teacherView, viewShown,
} from "./follow.js";
import { readLink } from "./address.js";
import { addressFor, canRebuild, copyLink, currentLink, linkScenario, rebuildLink } from "./links.js";
import { setUpExport } from "./export.js";
import { quizRender, setUpQuiz } from "./quiz.js";
import { warmTypesetting } from "./expression.js";
import { createTermCache } from "./termcache.js";

const page = {
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
  following: null, // { id, stop } while a read-only page follows the session's events
};

const $ = (id) => document.getElementById(id);
page.terms = createTermCache({
  current: () => (page.state ? { id: page.state.id, epoch: page.state.epoch } : null),
  arrived: termArrived,
});
const MAX_PENDING = 10;
const insight = createInsight({ openTerm, command: (action, send) => act(action, send) });
const optimiser = watchOptimiser({
  command: (action, send) => act(action, send),
  choices: JSON.parse($("choices").textContent).optimizers,
});
const training = watchTraining({
  current: () => (page.state ? { id: page.state.id, token: page.token } : null),
  ended: () => guarded(async () => adopt(await api.getSession(page.state.id), page.token)),
});

function rememberEpoch(state) {
  const { epoch, T, forward, backward, params, inputs, config, optimizer_state } = state;
  page.epochs.set(epoch, { epoch, T, forward, backward, params, inputs, config, optimizer_state });
}

function currentView() {
  return page.cursor >= 0 ? page.views[page.cursor] : null;
}

/** The epoch a view belongs to, with its records and weights. */
function epochOf(view) {
  if (!view) return startEpoch(page.views, page.epochs, page.state);
  return page.epochs.get(view.epoch) ?? page.epochs.get(page.state.epoch);
}

// ---- talking to the server -------------------------------------------------------------

async function openSession(body) {
  const state = await api.createSession(body);
  saveToken(state.id, state.token);
  adopt(state, state.token);
}

/** A session from the address (?session=ID): the same picture; read-only without its token. */
async function loadSession(id, wantedView) {
  adopt(await api.getSession(id), loadToken(id), wantedView);
}

/** A term's factors for the panel: from the cache, or null while fetched (drawn on arrival). */
function termDetail(epoch, term) {
  return page.terms.detail(epoch, term);
}

/** The term shown by a view (a backward view with a term), or null. */
function termOf(view) {
  if (view?.kind !== "backward" || view.term === null) return null;
  return epochOf(view).backward[view.index]?.terms[view.term] ?? null;
}

/** A term's factors arrived: drawn if the view shows that term (a prefetch draws nothing). */
function termArrived(key) {
  const view = currentView();
  const term = termOf(view);
  // While busy, the press (or command) on its way draws the view when it ends.
  if (page.busy || !term || page.terms.keyOf(view.epoch, term) !== key) return;
  render();
  revealPanel(); // the term's value line, now that it is drawn
}

/** Ahead of the next →: the factors of the term it shows, if the page holds that view. */
function prefetchNext() {
  const next = page.views[page.cursor + 1];
  const term = termOf(next);
  if (term) page.terms.prefetch(next.epoch, term);
}

function adopt(state, token, wantedView = null) {
  follow(token ? null : state.id);
  page.token = token;
  page.state = state;
  page.terms.clear();
  page.epochs.clear();
  rememberEpoch(state);
  page.views = viewsFromState(state);
  page.cursor = page.views.length - 1;
  page.notice = "";
  if (wantedView) {
    const found = [null, ...page.views].findIndex((view) => viewKey(view, epochOf(view)) === wantedView);
    if (found >= 0) page.cursor = found - 1;
    const epoch = Number(wantedView.match(/^e(\d+)-/)?.[1]);
    if (found < 0 && epoch && epoch !== state.epoch) {
      // The state holds this epoch's records only: say so rather than silently change the view.
      page.notice = `The view from epoch ${epoch} (${wantedView}) isn't kept by the server; showing epoch ${state.epoch}.`;
    }
  }
  page.graph = renderGraph($("graph"), computeLayout(prepareGraph(state.graph)));
  fillEditor($("editor"), state);
  $("preset-picker").value = state.preset ?? "";
  writeAddress({ preset: state.preset, session: state.id });
  document.body.dataset.sessionId = state.id;
  classroomAdopted(state, token);
  render();
}

/** A read-only page follows the owner's steps live; a page with the token follows nothing. */
function follow(id) {
  if (page.following?.id === id) return;
  page.following?.stop();
  page.following = null;
  if (!id) return;
  const refresh = async () => {
    try {
      const state = await api.getSession(id);
      // A reconnection's fetch usually finds nothing new: then the view (and its fetched terms) stay.
      if (page.following?.id === id && !page.busy && !sameProgress(page.state, state)) followed(state);
    } catch (error) {
      showError(`Could not follow the session: ${error.message}`);
    }
  };
  const deleted = () => showError("The session's owner deleted it: open a preset to step your own.");
  const classroom = { onView: teacherShows, onOpen: () => catchUpView(id) };
  page.following = { id, stop: followSession(api.eventsUrl(id), refresh, deleted, classroom) };
}

/** Whether two states of a session stand at the same point with the same history. */
function sameProgress(a, b) {
  const point = (s) => [s.epoch, s.phase, s.t, s.forward.length, s.backward.length, s.loss_history.length, s.status];
  return JSON.stringify(point(a)) === JSON.stringify(point(b));
}

/** The followed session's new state: at the latest view, stay at the latest; else stay put. */
function followed(state) {
  const atEnd = page.cursor === page.views.length - 1;
  const cursor = page.cursor;
  adopt(state, null);
  if (teacherView() && goToView(teacherView())) return; // a class: where the teacher is
  if (!atEnd && cursor < page.views.length - 1) {
    page.cursor = cursor;
    render();
  }
}

/** send(id, token) -> state: a command of the insight section (scale, truncate). */
async function act(action, send = null) {
  if (page.busy || !page.state || !page.token) return;
  page.busy = true;
  document.body.classList.add("busy");
  showError("");
  renderButtons();
  const { id } = page.state;
  try {
    if (send) receive(action, await send(id, page.token));
    else if (action === "train") receive(action, await api.train(id, page.token, 1));
    else if (action === "reset") receive(action, await api.reset(id, page.token, "epoch"));
    else if (action === "start") receive(action, await api.reset(id, page.token, "start"));
    else {
      const { first_term: first, ...answer } = await api.step(id, page.token, action);
      if (first) page.terms.hold(first.epoch, first); // the term the step opens on
      receive(action, stateAfterStep(page.state, action, answer));
    }
    // A backward step opens on its first term: its factors before the one drawing of the view.
    const shown = termOf(currentView());
    const first = shown ? page.terms.load(currentView().epoch, shown) : null;
    prefetchNext(); // and the second term's, meanwhile
    await first;
  } catch (error) {
    page.pendingRight = 0; // a refused step: the presses queued after it are dropped
    showError(error instanceof ApiError ? error.message : `The request failed: ${error.message}`);
  } finally {
    page.busy = false;
    document.body.classList.remove("busy");
    page.notice = "";
    render();
    revealPanel();
  }
  drainPresses();
}

/** Queued presses: views the page holds are shown at once; a request stops the loop (busy). */
function drainPresses() {
  while (page.pendingRight > 0 && !page.busy) {
    page.pendingRight -= 1;
    stepRight();
  }
}

/** Add the views of what the server just computed and show the first of them. */
function receive(action, state) {
  page.state = state;
  if (action === "start") {
    page.epochs.clear(); // the session is as created: what came before no longer happened
    page.terms.clear();
    page.views = [];
  }
  rememberEpoch(state);
  if (action === "scale" || action === "truncate" || action === "optimizer") {
    // The epoch's records were computed again (other weights, or another window): its views
    // and the terms fetched for it are replaced by the new ones.
    page.terms.clear();
    page.views = page.views.filter((view) => view.kind === "update" || view.epoch !== state.epoch);
    state.forward.forEach((_, index) => page.views.push(...viewsForRecord(state, "forward", index)));
    state.backward.forEach((_, index) => page.views.push(...viewsForRecord(state, "backward", index)));
    page.cursor = page.views.length - 1;
    return;
  }
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

// ---- moving through the views ------------------------------------------------------------

function show(index, { fromList = false } = {}) {
  page.fromList = fromList;
  page.cursor = index;
  page.notice = "";
  render();
  revealPanel();
}

/**
 * In one column (narrower than 1000 px) the panel is below the graph: bring it into view. In
 * two, a term picked from the list further down brings its value line back into view.
 */
function revealPanel() {
  const panel = $("formula");
  if (window.matchMedia("(max-width: 999.98px)").matches) {
    const top = panel.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) panel.scrollIntoView({ block: "start", behavior: "instant" });
    return;
  }
  // Only after a pick from the term list further down (page.fromList): a key press leaves the
  // page where it is, and reads no layout.
  if (!page.fromList) return;
  const summary = panel.querySelector(".term-summary");
  if (summary && summary.getBoundingClientRect().top < 0) summary.scrollIntoView({ block: "start", behavior: "instant" });
}

/** Show term `termId` ("W_h:3:2") of the current epoch in the backward view (a heat-map cell). */
function openTerm(termId) {
  const index = page.views.findIndex((view) => view.kind === "backward" && view.term !== null
    && view.epoch === page.state.epoch && epochOf(view).backward[view.index].terms[view.term]?.id === termId);
  if (index < 0) return;
  show(index);
  $("formula").scrollIntoView({ block: "start", behavior: "instant" });
}

/** Show the view named `key` ("e1-backward-3-2") if the page holds it; false if not. */
function goToView(key) {
  if (!page.state) return false;
  const found = [null, ...page.views].findIndex((view) => viewKey(view, epochOf(view)) === key);
  if (found < 0) return false;
  if (found - 1 !== page.cursor) show(found - 1);
  return true;
}

function currentKey() {
  const view = currentView();
  return viewKey(view, epochOf(view));
}

function stepRight() {
  page.fromList = false;
  if (page.cursor < page.views.length - 1) return showHeld(page.cursor + 1); // the page holds it
  const phase = page.state?.phase;
  if (phase === "forward" || phase === "backward" || phase === "update") act(phase);
}

/**
 * A view the page holds; if its term's factors are on their way (prefetched, not yet here),
 * the view is drawn once they arrive (once, with no "Fetching…" first); presses meanwhile wait.
 */
async function showHeld(index) {
  const view = page.views[index];
  const term = termOf(view);
  const waiting = term && page.terms.pending(view.epoch, term);
  if (waiting) {
    page.busy = true;
    await waiting;
    page.busy = false;
    if (page.views[index] !== view) return; // another session or epoch came meanwhile
  }
  show(index);
  drainPresses();
}

function stepLeft() {
  if (page.cursor >= 0) show(page.cursor - 1); // no request: the records are kept
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest("input, textarea, select, button, summary, [contenteditable]") && event.key === " ") return;
  // a checkbox has no use for arrows (Check my arithmetic, just ticked, keeps the focus)
  if (event.target.closest("input:not([type=checkbox]), textarea, select, [contenteditable], dialog")) return;
  const wanted = clickerStep(event); // arrows, and a presenter's clicker (PageDown/PageUp, space)
  if (wanted === "next" && page.busy) page.pendingRight = Math.min(page.pendingRight + 1, MAX_PENDING);
  else if (wanted === "next") stepRight();
  else if (wanted === "previous" && !page.busy) stepLeft();
  else return;
  event.preventDefault();
}

// ---- drawing ------------------------------------------------------------------------------

function render() {
  const state = page.state;
  if (!state) return;
  const view = currentView();
  const epoch = epochOf(view);
  const key = viewKey(view, epoch);
  // The address first, while the page's style is clean: history.replaceState brings style up
  // to date, which after the drawing below restyled the whole page a second time.
  writeAddress(addressFor(currentLink(state, view, epoch, key, page.presets)));
  showValues(page.graph, nodeValues(view, epoch, state));
  const context = { graph: page.graph, state, presets: page.presets, views: page.views, show, termDetail };
  renderPanel(view, epoch, context);
  renderButtons();
  $("status").textContent = state.status;
  $("view-note").textContent = describeView(view, epoch);
  $("view-lost").textContent = page.notice ?? "";
  $("view-lost").hidden = !page.notice;
  $("read-only").hidden = Boolean(page.token);
  renderBanner(state, page.token);
  $("loss-now").textContent = lossNow(state);
  $("value-legend").hidden = !page.graph.svg.querySelector(".heat-cell"); // only colours shown
  renderLossChart($("loss-chart"), state.loss_history, view?.kind === "update" ? view.record : null);
  insight.update(state, page.token);
  training.reset(state.id, page.token);
  optimiser.update(state, page.token);
  viewShown(key);
  // The quiz hides what it asks for; the spoken sentence then says only where the view is.
  const asking = quizRender(view, epoch, state, key, page.graph, termDetailShown(view));
  announce(asking ? describeView(view, epoch) : spokenView(view, epoch));
  prefetchNext();
}

/** The shown term's factors as fetched (null: no term, or not fetched yet). */
function termDetailShown(view) {
  const term = termOf(view);
  return term ? page.terms.peek(view.epoch, term) : null;
}

/** One short sentence for screen readers about the view (the term's value once it arrived). */
function spokenView(view, epoch) {
  if (!view) return "";
  const record = recordOf(view, epoch);
  return record ? sentence(view, record, termDetailShown(view)) : "";
}

function renderButtons() {
  drawButtons({ state: page.state, token: page.token, busy: page.busy });
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

// ---- start-up -----------------------------------------------------------------------------

async function start() {
  warmTypesetting();
  const buttons = {
    "forward-button": "forward", "backward-button": "backward", "update-button": "update",
    "train-button": "train", "reset-button": "reset", "start-over-button": "start",
  };
  for (const [id, action] of Object.entries(buttons)) $(id).addEventListener("click", () => act(action));
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", () => page.graph && fitGraph(page.graph));
  setUpPresenting(() => page.graph && fitGraph(page.graph));
  $("graph").addEventListener("focusin", (event) => {
    const node = event.target.closest("[data-id]");
    if (node) $("node-readout").textContent = node.getAttribute("aria-label");
  });
  $("preset-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const preset = $("preset-picker").value;
    if (preset) guarded(() => openSession({ preset }));
  });
  setUpClassroom({
    state: () => page.state, token: () => page.token, currentView, currentKey, goTo: goToView,
    adopt, showError,
  });
  const viewLink = () => {
    const view = currentView();
    const epoch = epochOf(view);
    return currentLink(page.state, view, epoch, viewKey(view, epoch), page.presets);
  };
  $("copy-link-button").addEventListener("click", () => {
    copyLink(viewLink()).catch((error) => showError(`Could not make the link: ${error.message}`));
  });
  setUpQuiz(render);
  setUpExport({
    state: () => page.state, key: currentKey, link: viewLink, showError,
    weights: () => viewLink().w ?? page.presets.find((p) => p.id === page.state.preset)?.params,
    linkScenario: () => linkScenario(viewLink(), page.presets),
    openSession,
  });
  setChoices($("editor"), JSON.parse($("choices").textContent)); // the server's cells, optimisers
  watchEditor($("editor"));
  $("editor").addEventListener("submit", (event) => {
    event.preventDefault();
    const { body, errors } = readEditor(event.target);
    if (errors.length) return showErrors(event.target, errors, { fromServer: false });
    guarded(async () => {
      await openSession(body);
      // The new session is at the top: go there, with focus on the graph, so → steps it in view.
      window.scrollTo({ top: 0, behavior: "instant" });
      $("graph-panel").focus({ preventScroll: true });
    }, event.target);
  });
  try {
    const presets = await api.listPresets();
    page.presets = Array.isArray(presets) ? presets : presets.presets ?? [];
    const picker = $("preset-picker");
    const custom = createHTML("option", { value: "", text: "Custom scenario", disabled: "" });
    picker.replaceChildren(...page.presets.map((p) => createHTML("option", { value: p.id, text: p.title })), custom);
  } catch (error) {
    showError(`Could not load the presets: ${error.message}`);
  }
  renderButtons();
  const address = readAddress();
  const preset = address.preset || document.body.dataset.preset || "seed-3-step";
  if (document.body.dataset.follow) return followCode(document.body.dataset.follow, preset);
  const link = readLink();
  const known = !page.presets.length || page.presets.some((p) => p.id === preset);
  if (!address.session && !canRebuild(link) && !known) return unknownPreset(preset);
  if (address.session) {
    try {
      const state = await api.getSession(address.session);
      const token = loadToken(address.session);
      // A visitor whose session has moved on past the link's view: the link's view, rebuilt.
      if (token || !canRebuild(link) || holdsView(state, address.view)) return adopt(state, token, address.view);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) return showError(`Could not load the session: ${error.message}`);
    }
  }
  if (canRebuild(link)) return guarded(() => openLink(link));
  await guarded(() => openSession({ preset }));
  if (address.session) showError(`Session ${address.session} is no longer on the server (sessions expire); this is a new one.`);
}

/** /?preset=nope: a sentence and the presets to choose from; nothing can be stepped. */
function unknownPreset(preset) {
  $("status").textContent = "No session: choose a preset.";
  $("formula").replaceChildren(
    createHTML("h2", { text: "No such preset" }),
    createHTML("p", { class: "unknown-preset", text: `There is no preset called “${preset}”. Choose one of these:` }),
    createHTML("ul", { class: "preset-list" }, page.presets.map((p) => createHTML("li", {}, [
      createHTML("a", { href: `/?preset=${encodeURIComponent(p.id)}`, text: p.title }),
      createHTML("span", { class: "note", text: ` (${p.id})` }),
    ]))),
  );
  $("preset-picker").value = "";
  document.body.dataset.sessionId = "";
  renderButtons();
}

/** Whether a session state holds the view named `key` (its epoch's views, or its start). */
function holdsView(state, key) {
  if (!key || key === `e${state.epoch}-start`) return true;
  return viewsFromState(state).some((view) => viewKey(view, state) === key);
}

/** A link whose session is gone (or moved on): its view rebuilt from the address, read-only. */
async function openLink(link) {
  const state = await rebuildLink(link, page.presets);
  adopt(state, null, link.view);
  follow(null); // nobody can step a rebuilt view: nothing to follow
  if (!page.notice) page.notice = "This link's view, rebuilt from its address: read-only. “Explore from here” makes it yours to step.";
  render();
}

/** /follow/CODE: the session the code opens, where its owner is, followed live. */
async function followCode(code, preset) {
  try {
    const { session, view } = await openCode(code);
    if (view) teacherShows(view);
    return await loadSession(session, view);
  } catch (error) {
    await guarded(() => openSession({ preset }));
    showError(`Could not follow the class: ${error.message}`);
  }
}

async function guarded(task, form = null) {
  showError("");
  try {
    await task();
  } catch (error) {
    if (form && error instanceof ApiError && error.status === 422) showErrors(form, error.detail);
    else showError(error instanceof ApiError ? error.message : `Something went wrong: ${error.message}`);
  }
}

start();
