// What the address holds, declared once (as tensorflow/playground's state.ts does): each entry
// is a query parameter, what it holds and how it is written. Together they rebuild the view
// anywhere: the scenario (a preset's id, or spelt out), the weights at the start of the view's
// epoch when they are not the scenario's, and the view itself (epoch, phase, t, term), so a
// link opened in a fresh browser, or after the server forgot every session, shows the same
// numbers at the same term (POST /api/links). Too long for an address: a saved scenario.

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
  { name: "saved", kind: TEXT, holds: "a saved scenario's name (POST /api/saved), when s and w are too long" },
  { name: "view", kind: TEXT, holds: "the cursor: epoch, phase, t and term, as e2-backward-3-1" },
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
 * What the page at a view links to: `state` the session's, `weights` the parameters at the start
 * of the view's epoch, `presetParams` the preset's own (null for no preset).
 */
export function linkOf(state, key, weights, presetParams) {
  const link = { session: state.id, view: key };
  if (state.preset) link.preset = state.preset;
  else link.s = { config: state.config, inputs: state.inputs, targets: state.targets, seed: state.seed };
  if (!state.preset || JSON.stringify(weights) !== JSON.stringify(presetParams)) link.w = weights;
  return link;
}

/** The body of POST /api/links for a link (`scenario`: s, or a saved body, or the preset). */
export function linkBody(link, scenario, T) {
  const { epoch, steps } = viewSteps(link.view, T);
  const body = { ...scenario, epoch, steps };
  if (link.w) body.weights = link.w;
  return body;
}

/** The scenario part of a link: what POST /api/saved keeps when the link is too long. */
export function scenarioOf(link) {
  const body = link.preset ? { preset: link.preset } : { ...link.s };
  if (link.w) body.weights = link.w;
  return body;
}
