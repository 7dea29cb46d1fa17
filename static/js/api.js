// The client for the JSON API (docs/json.md). Every call goes to this page's own host.

/** An HTTP error from the API, with its status and its `detail` (a sentence or a list). */
export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `request failed (${status})`);
    this.status = status;
    this.detail = detail;
  }
}

async function request(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload?.detail ?? response.statusText);
  return payload;
}

const sessionPath = (id) => `/api/sessions/${encodeURIComponent(id)}`;

export const api = {
  listPresets: () => request("GET", "/api/presets"),
  /** body: {"preset": id} or a full scenario {"config", "params"?, "inputs", "targets", "seed"}. */
  createSession: (body) => request("POST", "/api/sessions", { body }),
  getSession: (id) => request("GET", sessionPath(id)),
  /** action: forward | backward | update; the answer is the record plus `session`. */
  step: (id, token, action) => request("POST", `${sessionPath(id)}/${action}`, { token }),
  /** to: "epoch" (back to the start of this epoch) or "start" (the session as created). */
  reset: (id, token, to) => request("POST", `${sessionPath(id)}/reset`, { body: { to }, token }),
  train: (id, token, epochs) => request("POST", `${sessionPath(id)}/train`, { body: { epochs }, token }),
  /** The session's changes as server-sent events (needs no token). */
  eventsUrl: (id) => `${sessionPath(id)}/events`,
};
