// Which session the page opens: a new one from a preset or the editor, the one the address names
// (with its token, or read-only), a link's view rebuilt once its session is gone, a class's
// session from its join code; and an unknown preset's page, with nothing to step.

import { api, ApiError } from "./api.js";
import { showErrors } from "./editor.js";
import { loadToken, readAddress, saveToken } from "./session.js";
import { viewKey, viewsFromState } from "./timeline.js";
import { createHTML } from "./svg.js";
import { openCode, teacherShows } from "./follow.js";
import { readLink } from "./address.js";
import { canRebuild, rebuildLink } from "./links.js";
import { page } from "./pagestate.js";
import { adopt } from "./stepper.js";
import { renderButtons, showError } from "./render.js";

const $ = (id) => document.getElementById(id);

export async function openSession(body) {
  const state = await api.createSession(body);
  saveToken(state.id, state.token);
  adopt(state, state.token);
}

/** Run `task`; a refusal is said (under the `form`'s fields when it names them), not thrown. */
export async function guarded(task, form = null) {
  showError("");
  try {
    await task();
  } catch (error) {
    if (form && error instanceof ApiError && error.status === 422) showErrors(form, error.detail);
    else showError(error instanceof ApiError ? error.message : `Something went wrong: ${error.message}`);
  }
}

/** At start-up: what the address (or the page, for /follow/CODE) asks for. */
export async function openFromAddress() {
  const address = readAddress();
  const preset = address.preset || document.body.dataset.preset || "seed-3-step";
  if (document.body.dataset.follow) return followCode(document.body.dataset.follow, preset);
  const link = readLink();
  const known = !page.presets.length || page.presets.some((p) => p.id === preset);
  if (!address.session && !canRebuild(link) && !known) return unknownPreset(preset);
  if (address.session && (await openAddressed(address, link))) return;
  if (canRebuild(link)) return guarded(() => openLink(link));
  await guarded(() => openSession({ preset }));
  if (address.session) showError(`Session ${address.session} is no longer on the server (sessions expire); this is a new one.`);
}

/** A session from the address (?session=ID): true once it is open (or its failure said). */
async function openAddressed(address, link) {
  try {
    const state = await api.getSession(address.session);
    const token = loadToken(address.session);
    // A visitor whose session has moved on past the link's view: the link's view, rebuilt.
    if (token || !canRebuild(link) || holdsView(state, address.view)) {
      adopt(state, token, address.view);
      return true;
    }
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      showError(`Could not load the session: ${error.message}`);
      return true;
    }
  }
  return false;
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

/** A link whose session is gone (or moved on): its view rebuilt from the address, read-only. */
async function openLink(link) {
  const state = await rebuildLink(link, page.presets);
  const notice = "This link's view, rebuilt from its address: read-only. “Explore from here” makes it yours to step.";
  return adopt(state, null, link.view, { notice, follow: false }); // nobody can step it: nothing to follow
}

/** /follow/CODE: the session the code opens, where its owner is, followed live. */
async function followCode(code, preset) {
  try {
    const { session, view: shown } = await openCode(code);
    if (shown) teacherShows(shown);
    // The same picture as the owner's; read-only without its token.
    return adopt(await api.getSession(session), loadToken(session), shown);
  } catch (error) {
    await guarded(() => openSession({ preset }));
    showError(`Could not follow the class: ${error.message}`);
  }
}


/** Whether a session state holds the view named `key` (its epoch's views, or its start). */
function holdsView(state, key) {
  if (!key || key === `e${state.epoch}-start`) return true;
  return viewsFromState(state).some((view) => viewKey(view, state) === key);
}
