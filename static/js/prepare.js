// The next step drawn ahead: when → would ask the server for a forward or backward step, the
// page asks first what that step would answer (GET .../forward/preview or .../backward/preview,
// which change nothing) and, while idle, draws its view (a backward step's first term) in a
// panel under the one shown (panel.js). The press sends the POST as always; when its answer draws
// the same view, that panel is shown as laid out. Else (another client changed the session in
// between) the answer is drawn, taking the cards and lines that look the same as ones drawn
// before (cards.js keeps them by everything they show) instead of typesetting them again.

import { api } from "./api.js";
import { stateAfterStep } from "./session.js";
import { prepareForwardView, prepareTermView } from "./panel.js";
import { entriesChosen, forgetEntries } from "./worked.js";
import { epochOf, page, sumsReady, termOf } from "./pagestate.js";
import { whenIdle } from "./later.js";

let asked = null; // the state the last preview was asked for

/** After a drawing: if the next → is a forward or backward step, prepare it (once per state). */
export function prepareNextStep() {
  const state = page.state;
  const last = page.cursor === page.views.length - 1;
  const phase = state?.phase;
  if (!state || !page.token || !last || asked === state) return;
  if (phase !== "forward" && phase !== "backward") return;
  asked = state;
  const preview = phase === "forward" ? api.previewForward : api.previewBackward;
  const prepare = phase === "forward" ? prepareForward : prepareFrom;
  whenIdle(() => {
    if (page.state !== state || page.busy) return;
    previewing = new AbortController();
    preview(state.id, previewing.signal)
      .then(async (answer) => {
        await sumsReady(page, state.epoch); // a term's digits come with them, as at the press
        whenIdle(() => prepare(state, answer));
      })
      .catch(() => {}); // only ahead of time: the press asks the server as always
  });
}

let previewing = null; // the preview on its way, called off by a press

/**
 * Before a command is sent: the preview on its way is called off. Answered after the command,
 * it would be of the step after (or refused, 409, when there is none), and is not needed.
 */
export function stopPreview() {
  previewing?.abort();
  previewing = null;
}

/** Draw the forward step's view ahead, under the panel shown, if the page still shows the state it came from. */
function prepareForward(state, answer) {
  if (page.state === state) prepareForwardView(stateAfterStep(state, "forward", answer));
}

/** Draw the step's first term ahead, under the panel shown, if the page still shows the state it came from. */
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
  const loaded = Promise.all([page.terms.load(next.epoch, term), sumsReady(page, next.epoch)]);
  loaded.then(([detail]) => whenIdle(() => {
    if (!detail || detail.error || page.views[page.cursor + 1] !== next) return;
    drawAhead(next, epoch.backward[next.index], epoch, detail);
  }));
}

/** A term view drawn ahead, under the panel shown; the entries in view it chose are forgotten again. */
function drawAhead(view, record, epoch, detail) {
  const chosen = entriesChosen(detail.id);
  prepareTermView(view, record, epoch, detail);
  if (!chosen) forgetEntries(detail.id); // the answer's own numbers choose its entries in view
}
