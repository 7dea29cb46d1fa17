// Truncation: the window control's choices, the terms the window drops (struck through, with
// their sizes from a full pass) and, once the backward pass is complete, each parameter's
// truncated gradient against the full one. Every number is the server's (GET .../flow).

import { createHTML } from "./svg.js";
import { formatNumber } from "./format.js";
import { heatmap } from "./heatmap.js";

const LISTED = 40; // dropped terms listed by name; the rest are counted

/** The window picker: "full" and tau = 1..T, the session's own selected. */
export function fillWindowPicker(select, T, truncation) {
  const wanted = truncation === null ? "full" : String(truncation);
  if (select.dataset.T !== String(T)) {
    const options = [createHTML("option", { value: "full", text: "full BPTT" })];
    for (let tau = 1; tau <= T; tau += 1) options.push(createHTML("option", { value: String(tau), text: `τ = ${tau}` }));
    select.replaceChildren(...options);
    select.dataset.T = String(T);
  }
  if (document.activeElement !== select) select.value = wanted;
}

/** The dropped terms of the parameter in view, and the gaps (or why there are none yet). */
export function renderTruncation({ dropped, gaps }, flow) {
  const terms = [];
  flow.ks.forEach((k, r) => (flow.dropped_sizes[r] ?? []).forEach((size, c) => {
    if (size !== null) terms.push({ id: `${flow.param}:${k}:${c + 1}`, size });
  }));
  if (flow.truncation === null) {
    dropped.replaceChildren(createHTML("p", { class: "note", text: "Full BPTT: no term is dropped." }));
  } else {
    const items = terms.slice(0, LISTED).map((term) => createHTML("li", { "data-term": term.id }, [
      createHTML("s", { text: `${term.id}  ${formatNumber(term.size)}` }),
    ]));
    const more = terms.length > LISTED ? createHTML("p", { class: "note", text: `and ${terms.length - LISTED} more` }) : null;
    dropped.replaceChildren(
      createHTML("p", { class: "note", text: `τ = ${flow.truncation} drops ${terms.length} term${terms.length === 1 ? "" : "s"} of dL/d${flow.param} at the steps taken (k − t ≥ τ; their sizes from a full pass):` }),
      createHTML("ul", { class: "dropped-terms" }, items),
      ...(more ? [more] : []), // replaceChildren writes a null as the text "null"
    );
  }
  if (!flow.gaps) {
    gaps.replaceChildren(flow.truncation === null ? "" : createHTML("p", { class: "note", text: "Once the backward pass is complete, each parameter's truncated gradient is compared with the full one here." }));
    return;
  }
  const head = createHTML("tr", {}, ["parameter", "truncated", "full", "|g_τ − g| / |g|"].map((text) => createHTML("th", { scope: "col", text })));
  const rows = flow.gaps.map((gap) => createHTML("tr", { "data-param": gap.param }, [
    createHTML("th", { scope: "row", text: gap.param }),
    createHTML("td", {}, [heatmap(gap.truncated, { size: "compact", name: `${gap.param} truncated` })]),
    createHTML("td", {}, [heatmap(gap.full, { size: "compact", name: `${gap.param} full` })]),
    createHTML("td", { class: "gap", text: formatNumber(gap.relative_difference), "data-value": gap.relative_difference === null ? "" : String(gap.relative_difference) }),
  ]));
  gaps.replaceChildren(createHTML("table", { class: "truncation-gaps" }, [createHTML("thead", {}, [head]), createHTML("tbody", {}, rows)]));
}
