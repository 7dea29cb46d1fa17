// Where a session lives between page loads: its id (and the view shown) in the address, its
// token in sessionStorage (this tab only), and the state after a step, built from the step's
// answer (the record plus the server's `session` summary) instead of fetching the whole state.

const tokenKey = (id) => `bptt-explorer.token.${id}`;

export function saveToken(id, token) {
  try {
    sessionStorage.setItem(tokenKey(id), token);
  } catch {
    // Storage off (private mode, quota): the page still works; a reload is read-only.
  }
}

/** The token this tab was given for the session, or null (a shared link: read-only). */
export function loadToken(id) {
  try {
    return sessionStorage.getItem(tokenKey(id));
  } catch {
    return null;
  }
}

/** ?session=ID&preset=P&view=KEY from the address (each null when absent). */
export function readAddress() {
  const params = new URL(window.location.href).searchParams;
  return { session: params.get("session"), preset: params.get("preset"), view: params.get("view") };
}

/** Set (or, with null, remove) address parameters without a new history entry. */
export function writeAddress(changes) {
  const url = new URL(window.location.href);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === "") url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  if (url.href !== window.location.href) window.history.replaceState(null, "", url);
}

/**
 * The session state after a step, from the step's answer alone: the record joins this epoch's
 * records (an update starts a new epoch with none) and the summary's fields replace the old ones.
 */
export function stateAfterStep(state, action, answer) {
  const { session: summary, ...record } = answer;
  const next = { ...state, ...summary };
  // A large model's step answers leave the parameters out; an update's record has the new ones.
  if (!summary.params && action === "update") next.params = { ...state.params, ...record.params_new };
  if (action === "forward") next.forward = [...state.forward, record];
  else if (action === "backward") next.backward = [...state.backward, record];
  else Object.assign(next, { forward: [], backward: [], last_update: record, optimizer_state: record.state_after });
  return next;
}

const COMMANDS = ["forward", "backward", "update", "reset", "train", "scale", "truncate", "optimizer"];

/**
 * Follow a session's changes (GET /api/sessions/ID/events): `onChange()` after each step,
 * update, reset or training (at most one call running; changes during it make one more),
 * `onDelete()` once the owner deletes it. The browser reconnects by itself, sending the last
 * event's id; each (re)connection also calls `onChange()`, for what came before it.
 * `more.onView(view)` when the owner shows another view (a classroom), and
 * `more.onOpen()` each time the stream (re)connects. Returns a function that stops following.
 */
export function followSession(url, onChange, onDelete, more = {}) {
  if (typeof EventSource === "undefined") return () => {};
  const source = new EventSource(url);
  if (more.onView) source.addEventListener("view", (event) => more.onView(JSON.parse(event.data).view));
  if (more.onOpen) source.addEventListener("open", () => more.onOpen());
  let running = false;
  let again = false;
  const changed = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await onChange();
      } while (again);
    } finally {
      running = false;
    }
  };
  for (const command of COMMANDS) source.addEventListener(command, changed);
  // Each (re)connection starts live: a change made before it (after the state was read, or
  // while a dropped connection was down with nothing logged to resume from) is fetched now.
  source.addEventListener("open", changed);
  source.addEventListener("delete", () => {
    source.close();
    onDelete();
  });
  return () => source.close();
}
