// The page's wiring: one page state (pagestate.js), the stepper that changes it (stepper.js),
// the renderer that draws it (render.js), which session opens (opening.js); here the sections,
// buttons, keys and forms are tied to them.

import { api } from "./api.js";
import { fitGraph } from "./graph.js";
import { watchEditor, readEditor, setChoices, showErrors } from "./editor.js";
import { viewKey } from "./timeline.js";
import { createHTML } from "./svg.js";
import { createInsight } from "./insight.js";
import { watchTraining } from "./training.js";
import { watchOptimiser } from "./optimiser.js";
import { clickerStep, setUpPresenting } from "./present.js";
import { setUpClassroom } from "./follow.js";
import { copyLink, currentLink, linkScenario } from "./links.js";
import { setUpExport } from "./export.js";
import { setUpQuiz } from "./quiz.js";
import { warmTypesetting } from "./expression.js";
import { createTermCache } from "./termcache.js";
import { currentKey, currentView, epochOf, page } from "./pagestate.js";
import { render, renderButtons, setUpRenderer, showError } from "./render.js";
import { act, adopt, goToView, openTerm, prefetchNext, press, setUpStepper, show, termArrived } from "./stepper.js";
import { prepareNextStep, prepareNextTerm } from "./prepare.js";
import { follow } from "./watchsession.js";
import { guarded, openFromAddress, openSession } from "./opening.js";
import { afterFrame } from "./later.js";

const $ = (id) => document.getElementById(id);

// The page brings each view's result into view itself (render.js revealPanel). A scroll the
// browser restores on a reload would land on the half-drawn panel, and whatever lay there (the
// insight section, which then asks for the flow) would seem to be on screen.
history.scrollRestoration = "manual";

page.terms = createTermCache({
  current: () => (page.state ? { id: page.state.id, epoch: page.state.epoch } : null),
  arrived: termArrived,
});
setUpStepper({ follow });
setUpRenderer({
  sections: {
    insight: createInsight({ openTerm, command: act }),
    optimiser: watchOptimiser({ command: act, choices: JSON.parse($("choices").textContent).optimizers }),
    training: watchTraining({
      current: () => (page.state ? { id: page.state.id, token: page.token } : null),
      ended: () => guarded(async () => adopt(await api.getSession(page.state.id), page.token)),
    }),
  },
  show,
  // What the next → shows, asked for once this drawing is painted (the press does not wait).
  drawn: () => afterFrame(() => {
    prefetchNext();
    prepareNextStep();
    prepareNextTerm();
  }),
});

/** The link to the view shown (links.js), as Copy link and the exports give it. */
function viewLink() {
  const shown = currentView(page);
  const epoch = epochOf(page, shown);
  return currentLink(page.state, shown, epoch, viewKey(shown, epoch), page.presets);
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest("input, textarea, select, button, summary, [contenteditable]") && event.key === " ") return;
  // a checkbox has no use for arrows (Check my arithmetic, just ticked, keeps the focus)
  if (event.target.closest("input:not([type=checkbox]), textarea, select, [contenteditable], dialog")) return;
  // arrows, and a presenter's clicker (PageDown/PageUp, space)
  if (press(clickerStep(event))) event.preventDefault();
}

function wireControls() {
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
}

function wireSharing() {
  setUpClassroom({
    state: () => page.state, token: () => page.token, currentView: () => currentView(page),
    currentKey: () => currentKey(page), goTo: goToView, adopt, showError,
  });
  $("copy-link-button").addEventListener("click", () => {
    copyLink(viewLink()).catch((error) => showError(`Could not make the link: ${error.message}`));
  });
  setUpQuiz(render);
  setUpExport({
    state: () => page.state, key: () => currentKey(page), link: viewLink, showError: showError,
    weights: () => viewLink().w ?? page.presets.find((p) => p.id === page.state.preset)?.params,
    linkScenario: () => linkScenario(viewLink(), page.presets),
    openSession: openSession,
  });
}

function wireEditor() {
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
}

/** The presets, into the picker (a custom scenario last, never chosen from the list). */
async function loadPresets() {
  try {
    const presets = await api.listPresets();
    page.presets = Array.isArray(presets) ? presets : presets.presets ?? [];
    const picker = $("preset-picker");
    const custom = createHTML("option", { value: "", text: "Custom scenario", disabled: "" });
    picker.replaceChildren(...page.presets.map((p) => createHTML("option", { value: p.id, text: p.title })), custom);
  } catch (error) {
    showError(`Could not load the presets: ${error.message}`);
  }
}

async function start() {
  warmTypesetting();
  wireControls();
  wireSharing();
  wireEditor();
  await loadPresets();
  renderButtons();
  await openFromAddress();
}

start();
