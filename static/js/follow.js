// The classroom: a teacher's join code and the view the teacher's page shows, published for
// the followers; a follower's page going where the teacher is; "explore from here" (a private
// copy at that view); the start page's box to type a code. main.js gives the hooks it needs.

import { api, ApiError } from "./api.js";
import { saveToken } from "./session.js";

export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"; // no 0/O, 1/I/L (app/sessions/codes.py)
const codeKey = (id) => `bptt-explorer.code.${id}`;
const $ = (id) => document.getElementById(id);

const room = {
  hooks: null, // from main.js: state(), token(), currentView(), goTo(key), adopt(state, token, key), showError(text)
  code: null, // the owner's join code, once made: from then on the page publishes its view
  published: null, // "id:view" last published
  wanted: null, // "id:view" to publish next
  sending: false,
  teacherView: null, // a follower: the view the owner shows
};

/** A typed code as the server keeps it (upper case, no spaces or dashes), or null. */
export function normalCode(text) {
  const code = text.replace(/[\s-]/g, "").toUpperCase();
  return code.length === 6 && [...code].every((c) => CODE_ALPHABET.includes(c)) ? code : null;
}

/**
 * How many steps into its epoch a session is at `view`: what a copy made there replays. A view
 * of another epoch (the update that began this one, or older) is this epoch's start.
 */
export function stepsAt(view, state) {
  if (!view || view.epoch !== state.epoch) return 0;
  if (view.kind === "forward") return view.index + 1;
  if (view.kind === "backward") return state.T + view.index + 1;
  return 0;
}

function rememberCode(id, code) {
  try {
    sessionStorage.setItem(codeKey(id), code);
  } catch {
    // Storage off: the code is shown until the page reloads.
  }
}

function storedCode(id) {
  try {
    return sessionStorage.getItem(codeKey(id));
  } catch {
    return null;
  }
}

function showCode(code) {
  const box = $("join-code");
  box.hidden = !code;
  if (!code) return box.replaceChildren();
  const url = new URL(`/follow/${code}`, window.location.origin).href;
  const strong = document.createElement("strong");
  strong.className = "code-text";
  strong.dataset.code = code;
  strong.textContent = code;
  const link = document.createElement("a");
  link.href = url;
  link.textContent = url;
  link.target = "_blank";
  box.replaceChildren("Class code ", strong, " · ", link);
}

/** A session was opened: the owner may share it (and shows its code); a follower may explore. */
export function classroomAdopted(state, token) {
  room.code = token ? storedCode(state.id) : null;
  room.published = null;
  room.wanted = null;
  if (token) room.teacherView = null;
  $("share-button").hidden = !token || Boolean(room.code);
  $("explore-button").hidden = Boolean(token);
  showCode(room.code);
}

/** The page now shows `key`: an owner with a class code tells the followers. */
export function viewShown(key) {
  const { hooks } = room;
  if (!hooks || !room.code || !hooks.token()) return;
  room.wanted = `${hooks.state().id}:${key}`;
  if (!room.sending) send();
}

async function send() {
  room.sending = true;
  try {
    while (room.wanted && room.wanted !== room.published) {
      const wanted = room.wanted;
      const cut = wanted.indexOf(":");
      await api.publishView(wanted.slice(0, cut), room.hooks.token(), wanted.slice(cut + 1));
      room.published = wanted;
    }
  } catch (error) {
    room.hooks.showError(`The class could not be shown this view: ${error.message}`);
  } finally {
    room.sending = false;
  }
}

/** A follower: the owner shows `key`; go there if the page holds it (else after the refresh). */
export function teacherShows(key) {
  room.teacherView = key;
  room.hooks?.goTo(key);
}

/** The owner's latest view, for a follower's page that just fetched the state again. */
export function teacherView() {
  return room.teacherView;
}

/** The stream (re)connected: ask where the owner is now (a view may have been missed). */
export async function catchUpView(id) {
  try {
    const { view } = await api.readView(id);
    if (view) teacherShows(view);
  } catch {
    // The next view event will say it.
  }
}

async function share() {
  const { hooks } = room;
  const state = hooks.state();
  try {
    const { code } = await api.joinCode(state.id, hooks.token());
    rememberCode(state.id, code);
    room.code = code;
    $("share-button").hidden = true;
    showCode(code);
    viewShown(hooks.currentKey());
  } catch (error) {
    hooks.showError(`Could not make a class code: ${error.message}`);
  }
}

async function exploreHere() {
  const { hooks } = room;
  const state = hooks.state();
  const key = hooks.currentKey();
  try {
    const copy = await api.explore(state.id, stepsAt(hooks.currentView(), state));
    saveToken(copy.id, copy.token);
    const url = new URL(window.location.href);
    url.pathname = "/"; // a copy of one's own: not /follow/CODE any more
    window.history.replaceState(null, "", url);
    room.teacherView = null;
    hooks.adopt(copy, copy.token, key);
  } catch (error) {
    hooks.showError(`Could not make your copy: ${error instanceof ApiError ? error.message : error}`);
  }
}

function join(event) {
  event.preventDefault();
  const input = $("join-input");
  const code = normalCode(input.value);
  $("join-error").textContent = code ? "" : `A class code is 6 characters from ${CODE_ALPHABET}.`;
  if (code) window.location.assign(`/follow/${code}`);
  else input.focus();
}

/** The session a /follow/CODE page follows ({session, view}), or throws the API's sentence. */
export function openCode(code) {
  return api.openCode(code);
}

export function setUpClassroom(hooks) {
  room.hooks = hooks;
  $("share-button").addEventListener("click", share);
  $("explore-button").addEventListener("click", exploreHere);
  $("join-form").addEventListener("submit", join);
}
