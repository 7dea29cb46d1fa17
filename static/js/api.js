// The client for the JSON API (docs/json.md). Every call goes to this page's own host.

/** An HTTP error from the API, with its status and its `detail` (a sentence or a list). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `request failed (${status})`);
    this.status = status;
    this.detail = detail;
  }
}

async function request(method, path, { body, token, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const payload = await response.json().catch(() => null);
  signal?.throwIfAborted(); // called off while its body was on its way: no answer
  if (!response.ok) throw new ApiError(response.status, payload?.detail ?? response.statusText);
  return payload;
}

const sessionPath = (id) => `/api/sessions/${encodeURIComponent(id)}`;

/**
 * A backward record's terms arrive as columns, one entry per parameter ({param, t, ks, sizes,
 * values}); the page walks them one by one, so they become one object per term, in order.
 * The terms the truncation window drops (record.dropped) follow their parameter's kept ones,
 * marked dropped: the page shows them greyed and struck through, the running sum skipping them.
 * Each term's factors come later, from GET .../terms/{id}, when the term is shown.
 */
export function termList(record) {
  const flat = (group, dropped) => group.ks.map((k, i) => ({
    id: `${group.param}:${k}:${group.t}`,
    param: group.param,
    k,
    t: group.t,
    distance: k - group.t,
    size: group.sizes[i],
    value: group.values ? group.values[i] : null,
    dropped,
  }));
  const dropped = record.dropped ?? [];
  const params = [...new Set([...record.terms, ...dropped].map((group) => group.param))];
  const terms = params.flatMap((param) => [
    ...record.terms.filter((group) => group.param === param).flatMap((group) => flat(group, false)),
    ...dropped.filter((group) => group.param === param).flatMap((group) => flat(group, true)),
  ]);
  return { ...record, terms };
}

const withTermLists = (state) => ({ ...state, backward: state.backward.map(termList) });

export const api = {
  listPresets: () => request("GET", "/api/presets"),
  /** body: {"preset": id} or a full scenario {"config", "params"?, "inputs", "targets", "seed"}. */
  createSession: async (body) => withTermLists(await request("POST", "/api/sessions", { body })),
  getSession: async (id) => withTermLists(await request("GET", sessionPath(id))),
  /** action: forward | backward | update; the answer is the record plus `session`. */
  step: async (id, token, action) => {
    // a backward step's answer carries its first term in full: the view it opens on, drawn
    // without a second round trip
    const query = action === "backward" ? "?first_term=true" : "";
    const answer = await request("POST", `${sessionPath(id)}/${action}${query}`, { token });
    return action === "backward" ? termList(answer) : answer;
  },
  /** What the next forward step would answer now; nothing changes. signal: to call it off. */
  previewForward: (id, signal) => request("GET", `${sessionPath(id)}/forward/preview`, { signal }),
  /** What the next backward step (with its first term) would answer now; nothing changes. */
  previewBackward: async (id, signal) =>
    termList(await request("GET", `${sessionPath(id)}/backward/preview?first_term=true`, { signal })),
  /** to: "epoch" (back to the start of this epoch) or "start" (the session as created). */
  reset: async (id, token, to) =>
    withTermLists(await request("POST", `${sessionPath(id)}/reset`, { body: { to }, token })),
  train: async (id, token, epochs) =>
    withTermLists(await request("POST", `${sessionPath(id)}/train`, { body: { epochs }, token })),
  /** One term in full (factors, value, running sums, path), while its epoch is the session's. */
  term: (id, termId, epoch) =>
    request("GET", `${sessionPath(id)}/terms/${encodeURIComponent(termId)}?epoch=${epoch}`),
  /** Every term of the epoch's running sums, ahead of the backward steps (parameters of one number). */
  sums: (id, epoch) => request("GET", `${sessionPath(id)}/sums?epoch=${epoch}`),
  /** Gradient flow and the regime gauge; scale (a number): a read-only what-if at that W_h scale. */
  flow: (id, { param = null, scale = null } = {}) => {
    const query = new URLSearchParams();
    if (param) query.set("param", param);
    if (scale !== null) query.set("scale", String(scale));
    return request("GET", `${sessionPath(id)}/flow?${query}`);
  },
  /** Train `epochs` epochs as a job (answers at once); stop it; read its progress. */
  startJob: (id, token, epochs) => request("POST", `${sessionPath(id)}/jobs/train`, { body: { epochs }, token }),
  stopJob: (id, token) => request("POST", `${sessionPath(id)}/jobs/stop`, { token }),
  job: (id) => request("GET", `${sessionPath(id)}/job`),
  /** Another optimiser ({name, ...hyper-parameters}); its state starts afresh. */
  optimizer: async (id, token, optimizer) =>
    withTermLists(await request("POST", `${sessionPath(id)}/optimizer`, { body: { optimizer }, token })),
  /** The session's raw gradient against central differences, per parameter and entry. */
  gradcheck: (id) => request("GET", `${sessionPath(id)}/gradcheck`),
  /** The recurrent weights times factor; the epoch starts again from them. */
  scale: async (id, token, factor) =>
    withTermLists(await request("POST", `${sessionPath(id)}/scale`, { body: { factor }, token })),
  /** truncation: null (full BPTT) or tau >= 1; the epoch's steps are replayed with it. */
  truncation: async (id, token, truncation) =>
    withTermLists(await request("POST", `${sessionPath(id)}/truncation`, { body: { truncation }, token })),
  /** The session's changes as server-sent events (needs no token). */
  eventsUrl: (id) => `${sessionPath(id)}/events`,
  /** The session's join code for a class ({code, path, session}); the owner's call. */
  joinCode: (id, token) => request("POST", `${sessionPath(id)}/code`, { token }),
  /** Show the session's followers a view ("e1-backward-3-2"); the owner's call. */
  publishView: (id, token, view) => request("PUT", `${sessionPath(id)}/view`, { body: { view }, token }),
  /** The view the owner shows ({session, view}). */
  readView: (id) => request("GET", `${sessionPath(id)}/view`),
  /** The session a join code opens, and its owner's view ({session, view}). */
  openCode: (code) => request("GET", `/api/codes/${encodeURIComponent(code)}`),
  /** A private copy of the session, `steps` steps into its epoch (with its own token). */
  /** A link's view rebuilt as a read-only session (no token): POST /api/links. */
  openLink: async (body) => withTermLists(await request("POST", "/api/links", { body })),
  /** Keep a scenario too large for an address ({name, path}). */
  saveScenario: (body) => request("POST", "/api/saved", { body }),
  savedScenario: (name) => request("GET", `/api/saved/${encodeURIComponent(name)}`),
  explore: async (id, steps) =>
    withTermLists(await request("POST", `${sessionPath(id)}/explore`, { body: { steps } })),
};
