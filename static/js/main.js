// The controller: one object holds the page state; buttons and arrow keys change it.

import { api, ApiError } from "./api.js";
import { computeLayout, lightPath, prepareGraph, renderGraph, revealStep, showValues } from "./graph.js";
import {
  FACTOR_COLOURS, appendDiverged, renderBackwardSummary, renderForward, renderTerm, renderUpdate,
} from "./formula.js";
import { renderLossChart } from "./chart.js";
import { fillEditor, readEditor, showErrors } from "./editor.js";
import { describeView, nodeValues, recordOf, runningSoFar, viewsForRecord, viewsFromState } from "./timeline.js";
import { createHTML } from "./svg.js";

const page = {
  presets: [],
  state: null, // the latest session state from the server
  token: null,
  epochs: new Map(), // epoch number -> that epoch's records, params and inputs
  views: [], // every step (and term) received, in order
  cursor: -1, // which view is shown; -1 is the start of the epoch
  busy: false,
  graph: null, // the rendered SVG's elements by id
};

const $ = (id) => document.getElementById(id);

function rememberEpoch(state) {
  const { epoch, T, forward, backward, params, inputs, config } = state;
  page.epochs.set(epoch, { epoch, T, forward, backward, params, inputs, config });
}

function currentView() {
  return page.cursor >= 0 ? page.views[page.cursor] : null;
}

// ---- talking to the server -------------------------------------------------------------

async function openSession(body) {
  const state = await api.createSession(body);
  page.token = state.token;
  page.state = state;
  page.epochs.clear();
  rememberEpoch(state);
  page.views = viewsFromState(state);
  page.cursor = page.views.length - 1;
  page.graph = renderGraph($("graph"), computeLayout(prepareGraph(state.graph)));
  fillEditor($("editor"), state);
  const preset = state.preset ?? body.preset ?? null;
  $("preset-picker").value = preset ?? "";
  const url = new URL(window.location.href);
  if (preset) url.searchParams.set("preset", preset);
  else url.searchParams.delete("preset");
  window.history.replaceState(null, "", url);
  document.body.dataset.sessionId = state.id;
  render();
}

/** The state after a mutating call: the response when it is a state, else a fresh GET. */
async function stateAfter(response) {
  if (response && response.phase && response.graph) return response;
  if (response?.state?.phase) return response.state;
  return api.getSession(page.state.id);
}

async function act(action) {
  if (page.busy || !page.state) return;
  page.busy = true;
  showError("");
  renderButtons();
  try {
    const response = action === "train"
      ? await api.train(page.state.id, page.token, 1)
      : await api.step(page.state.id, page.token, action);
    const state = await stateAfter(response);
    receive(action, state);
  } catch (error) {
    showError(error instanceof ApiError ? error.message : `The request failed: ${error.message}`);
  } finally {
    page.busy = false;
    render();
  }
}

/** Add the views of what the server just computed and show the first of them. */
function receive(action, state) {
  page.state = state;
  rememberEpoch(state);
  if (action === "reset") {
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

function stepRight() {
  if (page.cursor < page.views.length - 1) {
    page.cursor += 1; // revisit: the page already holds this record
    render();
    return;
  }
  const phase = page.state?.phase;
  if (phase === "forward" || phase === "backward" || phase === "update") act(phase);
}

function stepLeft() {
  if (page.cursor < 0) return;
  page.cursor -= 1; // no request: the records are kept
  render();
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  if (event.key === "ArrowRight") stepRight();
  else if (event.key === "ArrowLeft") stepLeft();
  else return;
  event.preventDefault();
}

// ---- drawing ------------------------------------------------------------------------------

function render() {
  const state = page.state;
  if (!state) return;
  const view = currentView();
  const epoch = page.epochs.get(view?.epoch ?? state.epoch) ?? page.epochs.get(state.epoch);
  showValues(page.graph, nodeValues(view, epoch, state));
  renderPanel(view, epoch, state);
  renderButtons();
  $("status").textContent = state.status;
  $("view-note").textContent = describeView(view, epoch);
  const banner = $("diverged-banner");
  banner.hidden = !state.diverged;
  banner.textContent = state.diverged?.message ?? "";
  $("loss-now").textContent = state.loss === null || state.loss === undefined ? "not computed yet" : formatLoss(state.loss);
  renderLossChart($("loss-chart"), state.loss_history);
}

function formatLoss(loss) {
  return Number(loss.toPrecision(6)).toString();
}

function renderPanel(view, epoch, state) {
  const panel = $("formula");
  const termList = $("term-list");
  termList.replaceChildren();
  // Keep the step being shown in view when the graph is wider than its panel (e.g. T = 20).
  revealStep(page.graph, !view || view.kind === "update" ? 0 : recordOf(view, epoch).t);
  if (!view) {
    lightPath(page.graph, null);
    const preset = page.presets.find((p) => p.id === state.preset);
    panel.replaceChildren(
      createHTML("h2", { text: preset?.title ?? "Your scenario" }),
      createHTML("p", { text: preset?.description ?? "" }),
      createHTML("p", { class: "note", text: "Press → or “Forward step” to compute h_1." }),
    );
    appendDiverged(panel, state.diverged);
    return;
  }
  const record = recordOf(view, epoch);
  if (view.kind === "forward") {
    lightPath(page.graph, record.path);
    renderForward(panel, record, epoch.params, epoch.config);
  } else if (view.kind === "update") {
    lightPath(page.graph, null);
    renderUpdate(panel, record);
  } else if (view.term === null) {
    lightPath(page.graph, record.path);
    renderBackwardSummary(panel, record);
  } else {
    renderTermView(view, record, epoch);
  }
}

function renderTermView(view, record, epoch) {
  const term = record.terms[view.term];
  const colours = new Map(term.factors.map((f, i) => [f.edge, FACTOR_COLOURS[i % FACTOR_COLOURS.length]]));
  lightPath(page.graph, term.path, colours);
  renderTerm($("formula"), term, {
    index: view.term,
    count: record.terms.length,
    t: record.t,
    colourOf: (edge) => colours.get(edge),
    jacobianAt: (step) => epoch.backward.find((r) => r.t === step)?.jacobian ?? null,
    runningSoFar: runningSoFar(view, epoch, Object.keys(record.grads)),
  });
  appendDiverged($("formula"), record.diverged);
  // The terms this backward step completes: click one to light its path.
  const list = $("term-list");
  list.append(createHTML("h3", { text: `Terms completed at t = ${record.t}` }));
  const items = createHTML("ol");
  record.terms.forEach((other, index) => {
    const target = page.views.findIndex((v) => v.kind === "backward" && v.epoch === view.epoch &&
      v.index === view.index && v.term === index);
    items.append(createHTML("li", {}, [createHTML("button", {
      type: "button",
      class: index === view.term ? "term-button current" : "term-button",
      "aria-current": index === view.term ? "step" : null,
      "data-term": other.id,
      text: `∂L/∂${other.param}: ℓ_${other.k}, t = ${other.t}`,
      onclick: () => { page.cursor = target; render(); },
    })]));
  });
  list.append(items);
}

function renderButtons() {
  const phase = page.state?.phase;
  const idle = !page.busy && Boolean(page.state);
  $("forward-button").disabled = !idle || phase !== "forward";
  $("backward-button").disabled = !idle || phase !== "backward";
  $("update-button").disabled = !idle || phase !== "update";
  $("train-button").disabled = !idle;
  $("reset-button").disabled = !idle;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

// ---- start-up -----------------------------------------------------------------------------

async function start() {
  $("forward-button").addEventListener("click", () => act("forward"));
  $("backward-button").addEventListener("click", () => act("backward"));
  $("update-button").addEventListener("click", () => act("update"));
  $("train-button").addEventListener("click", () => act("train"));
  $("reset-button").addEventListener("click", () => act("reset"));
  document.addEventListener("keydown", onKey);
  $("graph").addEventListener("focusin", (event) => {
    const node = event.target.closest("[data-id]");
    if (node) $("node-readout").textContent = node.getAttribute("aria-label");
  });
  $("preset-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(() => openSession({ preset: $("preset-picker").value }));
  });
  $("editor").addEventListener("submit", (event) => {
    event.preventDefault();
    const { body, errors } = readEditor(event.target);
    if (errors.length) return showErrors(event.target, errors);
    guarded(() => openSession(body), event.target);
  });
  try {
    const presets = await api.listPresets();
    page.presets = Array.isArray(presets) ? presets : presets.presets ?? [];
    const picker = $("preset-picker");
    picker.replaceChildren(...page.presets.map((p) => createHTML("option", { value: p.id, text: p.title })));
  } catch (error) {
    showError(`Could not load the presets: ${error.message}`);
  }
  await guarded(() => openSession({ preset: document.body.dataset.preset || "seed-3-step" }));
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
