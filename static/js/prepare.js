// The next backward step drawn ahead: when → would ask the server for a backward step, the
// page asks first what that step would answer (GET .../backward/preview, which changes
// nothing) and, while idle, draws its first term off the page. The press then draws the
// POST's answer as always; the cards and lines that look the same as the ones drawn ahead
// (cards.js keeps them by everything they show) are taken instead of typeset again. When
// another client changed the session in between, the answer's numbers differ, and what
// differs is built from the answer.

import { api } from "./api.js";
import { stateAfterStep } from "./session.js";
import { prepareTermView } from "./panel.js";
import { entriesChosen, forgetEntries } from "./worked.js";
import { currentView, epochOf, page, termOf } from "./pagestate.js";

// While idle, or at the latest after IDLE_WAIT_MS (a page kept busy drawing has few idle periods).
const IDLE_WAIT_MS = 300;
const later = (task) => (window.requestIdleCallback
  ? requestIdleCallback(task, { timeout: IDLE_WAIT_MS })
  : setTimeout(task, 50));
let asked = null; // the state the last preview was asked for

/** After a drawing: if the next → is a backward step, prepare it (once per state). */
export function prepareNextStep() {
  const state = page.state;
  const last = page.cursor === page.views.length - 1;
  if (!state || !page.token || !last || state.phase !== "backward" || asked === state) return;
  asked = state;
  if (isLarge()) return;
  later(() => {
    if (page.state !== state || page.busy) return;
    api.previewBackward(state.id)
      .then((answer) => later(() => prepareFrom(state, answer)))
      .catch(() => {}); // only ahead of time: the press asks the server as always
  });
}

/**
 * A large model's recurrent factors come without their values (the record's Jacobian): a card
 * is then kept by which Jacobian it reads, and a new step's is another, so drawing it ahead
 * would save little and cost its preview (~150 KB at T = 50, H = 32). Known from the term shown.
 */
function isLarge() {
  const shown = currentView(page);
  const term = termOf(page, shown);
  const detail = term ? page.terms.peek(shown.epoch, term) : null;
  return Boolean(detail?.factors?.some((factor) => factor.kind === "recurrent" && factor.value === null));
}

/** Draw the step's first term off the page, if the page still shows the state it came from. */
function prepareFrom(state, answer) {
  const { first_term: detail, ...step } = answer;
  if (page.state !== state || !detail) return;
  const after = stateAfterStep(state, "backward", step);
  const record = after.backward[after.backward.length - 1];
  const view = { kind: "backward", epoch: after.epoch, index: after.backward.length - 1, term: 0 };
  drawAhead(view, record, after, detail);
}

let nextDrawn = null; // the held view last drawn ahead

/**
 * After a drawing: the term the next → shows, when the page holds that view, drawn off the
 * page once its factors are here (they are asked for ahead, stepper.js prefetchNext).
 */
export function prepareNextTerm() {
  const next = page.views[page.cursor + 1];
  const term = termOf(page, next);
  if (!term || nextDrawn === next) return;
  nextDrawn = next;
  const epoch = epochOf(page, next);
  page.terms.load(next.epoch, term).then((detail) => later(() => {
    if (!detail || detail.error || page.views[page.cursor + 1] !== next) return;
    drawAhead(next, epoch.backward[next.index], epoch, detail);
  }));
}

/** A term view drawn off the page; the entries in view it chose are forgotten again. */
function drawAhead(view, record, epoch, detail) {
  const chosen = entriesChosen(detail.id);
  prepareTermView(view, record, epoch, detail);
  if (!chosen) forgetEntries(detail.id); // the answer's own numbers choose its entries in view
}
