// A read-only page (a shared link) follows its owner's steps live: each change the session's
// events announce is fetched and taken, the view staying where the reader walked to. (The
// classroom's teacher and join codes are follow.js.)

import { api } from "./api.js";
import { followSession } from "./session.js";
import { catchUpView, teacherShows, teacherView } from "./follow.js";
import { page } from "./pagestate.js";
import { adopt, goToView } from "./stepper.js";
import { render, showError } from "./render.js";

/** A read-only page follows the owner's steps live; a page with the token follows nothing. */
export function follow(id) {
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
