// The "seeing why" section: gradient flow, the regime gauge and the what-if W_h slider. Every
// number comes from GET /api/sessions/{id}/flow; "Apply" is the session's scale command.

import { api, ApiError } from "./api.js";
import { renderFlow } from "./flow.js";
import { renderGauge } from "./gauge.js";
import { createHTML } from "./svg.js";
import { fillWindowPicker, renderTruncation } from "./truncation.js";
import { watchGradCheck } from "./gradcheck.js";

const $ = (id) => document.getElementById(id);

/**
 * hooks: openTerm(id) shows a term of the current epoch in the backward view; command(action,
 * send) runs a session command (send(id, token) -> the new state) as the page's buttons do.
 */
export function createInsight({ openTerm, command }) {
  const local = { state: null, token: null, param: null, scale: null, asked: 0, stale: false };
  const slider = $("scale-slider");
  const section = $("insight");
  // The section asks the server only while it is on screen: a step stays one request. Whether
  // it is on screen the observer says once the page is laid out (a render reads no layout).
  const observer = new IntersectionObserver((entries) => {
    if (entries.at(-1).isIntersecting && local.stale) askServer();
  });
  observer.observe(section);

  /** The flow is wanted: asked for once the section is on screen (now, or when scrolled to). */
  function fetchFlow() {
    if (!local.state) return;
    local.stale = true;
    observer.unobserve(section);
    observer.observe(section); // a fresh observation: its first entry says where the section is now
  }

  function askServer() {
    local.stale = false;
    const { state, param, scale } = local;
    const ask = ++local.asked;
    api.flow(state.id, { param, scale })
      .then((flow) => { if (ask === local.asked) draw(flow); })
      .catch((error) => {
        if (ask !== local.asked) return;
        $("insight-error").textContent = `The gradient flow could not be computed: ${error instanceof ApiError ? error.message : error}`;
      });
  }

  function draw(flow) {
    $("insight-error").textContent = "";
    local.param = flow.param;
    const picker = $("flow-param");
    if (picker.dataset.params !== flow.params.join(",")) {
      picker.replaceChildren(...flow.params.map((name) => createHTML("option", { value: name, text: name })));
      picker.dataset.params = flow.params.join(",");
    }
    picker.value = flow.param;
    const whatIf = flow.scale !== null;
    renderFlow({ chart: $("flow-chart"), heatmap: $("flow-heatmap") }, flow, { openTerm, clickable: !whatIf });
    renderGauge({ chart: $("gauge-chart"), numbers: $("gauge-numbers"), sentence: $("regime-sentence") }, flow.gauge);
    $("scale-note").textContent = whatIf
      ? `What-if: the recurrent weights × ${flow.scale}, the whole epoch computed by the server; the session is unchanged until you apply it.`
      : flow.complete ? "The session's epoch, backward pass complete." : "The session's epoch, as far as the backward pass has gone.";
    $("regime-overflow").textContent = flow.diverged ? flow.diverged.message : "";
    renderTruncation({ dropped: $("dropped-terms"), gaps: $("truncation-gaps") }, flow);
    $("insight").dataset.shown = whatIf ? `scale-${flow.scale}` : "session";
    renderScaleButtons();
  }

  function renderScaleButtons() {
    $("truncation-set").disabled = !local.token;
    $("scale-apply").disabled = !local.token || local.scale === null;
    $("scale-leave").disabled = local.scale === null;
  }

  function setScale(value) {
    slider.value = String(value);
    $("scale-value").textContent = `${Number(value).toFixed(2)}×`;
    slider.setAttribute("aria-valuetext", `W_h times ${Number(value).toFixed(2)}`);
    local.scale = Number(value) === 1 ? null : Number(value);
    renderScaleButtons();
  }

  slider.addEventListener("input", () => { setScale(slider.value); fetchFlow(); });
  $("scale-leave").addEventListener("click", () => { setScale(1); fetchFlow(); });
  $("scale-apply").addEventListener("click", () => {
    const factor = local.scale;
    if (factor === null) return;
    setScale(1);
    command("scale", (id, token) => api.scale(id, token, factor));
  });
  $("truncation-set").addEventListener("click", () => {
    const chosen = $("truncation-window").value;
    const truncation = chosen === "full" ? null : Number(chosen);
    command("truncate", (id, token) => api.truncation(id, token, truncation));
  });
  watchGradCheck($("gradcheck-button"), $("gradcheck"), () => local.state?.id);
  $("flow-param").addEventListener("change", (event) => { local.param = event.target.value; fetchFlow(); });

  return {
    /** The page's state changed (a new object after every change): ask the server again. */
    update(state, token) {
      if (state === local.state && token === local.token) return;
      const another = local.state?.id !== state.id;
      local.state = state;
      local.token = token;
      if (another) { local.param = null; setScale(1); $("gradcheck").replaceChildren(); }
      fillWindowPicker($("truncation-window"), state.T, state.config.truncation ?? null);
      renderScaleButtons();
      fetchFlow();
    },
  };
}
