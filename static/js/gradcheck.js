// The gradient check panel (GET /api/sessions/{id}/gradcheck): per parameter its worst entry,
// analytic against central difference (before any clipping), the relative error, pass or fail
// at the server's tolerance; every entry on request.

import { api, ApiError } from "./api.js";
import { createHTML } from "./svg.js";
import { formatNumber } from "./format.js";

const $ = (id) => document.getElementById(id);

function entryRow(name, entry, { worst = false } = {}) {
  return createHTML("tr", { class: entry.passed ? "pass" : "fail", "data-param": name, "data-index": entry.index.join(",") }, [
    createHTML("th", { scope: "row", text: worst ? name : `${name}[${entry.index.join(", ")}]` }),
    createHTML("td", { text: worst ? `[${entry.index.join(", ")}]` : "" }),
    createHTML("td", { text: formatNumber(entry.analytic, 8) }),
    createHTML("td", { text: formatNumber(entry.numeric, 8) }),
    createHTML("td", { class: "error-size", text: formatNumber(entry.relative_error, 3), "data-value": String(entry.relative_error) }),
    createHTML("td", { class: "verdict", text: entry.passed ? "pass" : "fail" }),
  ]);
}

function head(first) {
  return createHTML("thead", {}, [createHTML("tr", {}, [first, "entry", "analytic", "central difference", "rel. error", ""].map(
    (text) => createHTML("th", { scope: "col", text }),
  ))]);
}

/** Draw a check into the panel. */
export function renderGradCheck(panel, check) {
  const verdict = check.diverged
    ? check.diverged.message
    : `${check.passed ? "Pass" : "Fail"}: the largest relative error is ${formatNumber(check.max_relative_error, 3)} (tolerance ${formatNumber(check.tolerance)}; ${check.cell} cell, epoch ${check.epoch}, ε = ${formatNumber(check.eps)}; errors are measured against at least ${formatNumber(check.floor)}).`;
  const worst = Object.entries(check.params).map(([name, param]) => entryRow(name, param.worst, { worst: true }));
  const every = Object.entries(check.params).map(([name, param]) => createHTML("details", { class: "gradcheck-entries", "data-param": name }, [
    createHTML("summary", { text: `every entry of ${name} (${param.entries.length})` }),
    createHTML("table", { class: "gradcheck-table" }, [head("entry"), createHTML("tbody", {}, param.entries.map((entry) => entryRow(name, entry)))]),
  ]));
  panel.replaceChildren(
    createHTML("p", { class: `gradcheck-verdict ${check.passed ? "pass" : "fail"}`, text: verdict }),
    ...(check.tolerance_note ? [createHTML("p", { class: "note gradcheck-tolerance", text: check.tolerance_note })] : []), // not null: replaceChildren writes it as "null"
    createHTML("table", { class: "gradcheck-table worst" }, [head("parameter (worst entry)"), createHTML("tbody", {}, worst)]),
    ...every,
  );
}

/** The button runs the check of the session `current()` returns (its id). */
export function watchGradCheck(button, panel, current) {
  button.addEventListener("click", async () => {
    const id = current();
    if (!id) return;
    button.disabled = true;
    panel.replaceChildren(createHTML("p", { class: "note", text: "Checking: a few forward passes per entry…" }));
    try {
      renderGradCheck(panel, await api.gradcheck(id));
    } catch (error) {
      const text = error instanceof ApiError && Array.isArray(error.detail) ? error.detail[0].msg : error.message;
      panel.replaceChildren(createHTML("p", { class: "error", text: `The check could not run: ${text}` }));
    } finally {
      button.disabled = false;
    }
  });
}
