// What the address holds, declared once (as tensorflow/playground's state.ts does): each entry
// is a query parameter, what it holds and how it is written. Together they rebuild the view
// anywhere: the scenario (a preset's id, or spelt out), the weights and the optimiser's state
// (its count n and moments) at the start of the view's epoch when they are not a fresh
// session's, and the view itself (epoch, phase, t, term), so a link opened in a fresh
// browser, or after the server forgot every session, shows the same numbers at the same term
// (POST /api/links), under every optimiser. Numbers are JSON's shortest round-tripping form,
// so every float comes back to the same bits. Too long for an address: a saved scenario.

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** base64url (no padding) of the compact JSON of `value`. */
export function encodeJson(value) {
  let binary = "";
  for (const byte of utf8.encode(JSON.stringify(value))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The inverse of encodeJson; throws on anything else. */
export function decodeJson(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(fromUtf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

const TEXT = { write: String, read: (text) => text };
const JSON64 = { write: encodeJson, read: decodeJson };

/** The address's parameters, in the order they are written. */
export const URL_STATE = [
  { name: "session", kind: TEXT, holds: "the session's read-only id (its token stays in the tab that made it)" },
  { name: "preset", kind: TEXT, holds: "the preset the scenario is, when it is one" },
  { name: "s", kind: JSON64, holds: "the scenario spelt out when it is no preset: {config, inputs, targets, seed}" },
  { name: "w", kind: JSON64, holds: "the weights at the start of the view's epoch, when they are not the preset's" },
  { name: "o", kind: JSON64, holds: "the optimiser's state at the start of the view's epoch, {n, slots}, when not fresh" },
  { name: "saved", kind: TEXT, holds: "a saved scenario's name (POST /api/saved), when s, w and o are too long" },
  { name: "view", kind: TEXT, holds: "the cursor: epoch, phase, t and term, as e2-backward-3-1" },
  { name: "trained", kind: TEXT, holds: "1 when the view's update was made by training (equal to the steps' to rounding)" },
];
export const MAX_ADDRESS = 2000; // characters: past this a link names a saved scenario instead

/** Every parameter of the table found in the address (an unreadable one is left out). */
export function readLink(href = window.location.href) {
  const params = new URL(href).searchParams;
  const link = {};
  for (const { name, kind } of URL_STATE) {
    if (!params.has(name)) continue;
    try {
      link[name] = kind.read(params.get(name));
    } catch {
      link.unreadable = name;
    }
  }
  return link;
}

/** The query string of a link (the table's order; absent entries left out). */
export function linkQuery(link) {
  const params = new URLSearchParams();
  for (const { name, kind } of URL_STATE) {
    if (link[name] !== undefined && link[name] !== null) params.set(name, kind.write(link[name]));
  }
  return params.toString();
}

/** The link's parameters as writeAddress takes them: written ones as text, the others null. */
export function addressChanges(link) {
  const changes = {};
  for (const { name, kind } of URL_STATE) {
    changes[name] = link[name] === undefined || link[name] === null ? null : kind.write(link[name]);
  }
  return changes;
}

const VIEW_KEY = /^e(\d+)-(?:(start)|(update)|forward-(\d+)|backward-(\d+)(?:-\d+)?)$/;

/** The epoch a view key names and how many steps into it the view is (2T + 1: its update). */
export function viewSteps(key, T) {
  const found = VIEW_KEY.exec(key ?? "");
  if (!found) return null;
  const [, epoch, , update, forward, backward] = found;
  let steps = 0;
  if (update) steps = 2 * T + 1;
  else if (forward) steps = Number(forward);
  else if (backward) steps = 2 * T + 1 - Number(backward);
  return { epoch: Number(epoch), steps };
}

/** True when the link names a scenario and a view: enough to rebuild it without a session. */
export function canRebuild(link) {
  return Boolean(link.view && (link.preset || link.s || link.saved));
}

/**
 * What the page at a view links to: `state` the session's; `start` what the view's epoch
 * started from ({weights, optimizerState}, the state null when fresh) and whether its update
 * was made by training; `preset` the preset's own scenario (null for no preset). A preset's
 * id stands for the scenario only while the session's config is still the preset's (a chosen
 * optimiser, window or clipping spells it out).
 */
export function linkOf(state, key, start, preset) {
  const link = { session: state.id, view: key };
  const samePreset = preset && JSON.stringify(state.config) === JSON.stringify(preset.config);
  if (samePreset) link.preset = state.preset;
  else link.s = { config: state.config, inputs: state.inputs, targets: state.targets, seed: state.seed };
  if (!samePreset || JSON.stringify(start.weights) !== JSON.stringify(preset.params)) link.w = start.weights;
  if (start.optimizerState) link.o = start.optimizerState;
  if (start.trained && key.endsWith("-update")) link.trained = "1";
  return link;
}

/** The body of POST /api/links for a link (`scenario`: s, or a saved body, or the preset). */
export function linkBody(link, scenario, T) {
  const { epoch, steps } = viewSteps(link.view, T);
  const body = { ...scenario, epoch, steps };
  if (link.w) body.weights = link.w;
  if (link.o) body.optimizer_state = link.o;
  if (link.trained === "1" && steps === 2 * T + 1) body.trained = true;
  return body;
}

/** The scenario part of a link: what POST /api/saved keeps when the link is too long. */
export function scenarioOf(link) {
  const body = link.preset ? { preset: link.preset } : { ...link.s };
  if (link.w) body.weights = link.w;
  if (link.o) body.optimizer_state = link.o;
  return body;
}
