// The optimiser beside the update: choose another (POST .../optimizer, its state starts
// afresh, and the page says so), and the update's clipping shown as its own stage (the
// server's raw norm, clip_norm and whether it clipped) before the optimiser's rule.

import { api } from "./api.js";
import { createHTML } from "./svg.js";
import { formatNumber } from "./format.js";

const $ = (id) => document.getElementById(id);

/** hooks: command(action, send) as the page's buttons; choices: the editor's optimisers. */
export function watchOptimiser({ command, choices }) {
  const picker = $("optimiser-picker");
  picker.replaceChildren(...choices.map((kind) => createHTML("option", { value: kind.name, text: kind.name })));
  let switched = null;
  $("optimiser-set").addEventListener("click", () => {
    const name = picker.value;
    switched = name;
    command("optimizer", (id, token) => api.optimizer(id, token, { name }));
  });
  return {
    update(state, token) {
      const name = state.config.optimizer.name;
      if (document.activeElement !== picker) picker.value = name;
      $("optimiser-set").disabled = !token;
      $("optimiser-note").textContent = switched === name
        ? `Now training with ${name}, its state started afresh: no moments or sums carried over, and the next update is its update 1.`
        : `Training with ${name}.`;
      renderClipping($("clip-stage"), state.last_update);
    },
  };
}

function renderClipping(element, update) {
  if (!update) {
    element.replaceChildren(createHTML("p", { class: "note", text: "Stage 1, clipping: shown once an update has been made." }));
    return;
  }
  const norm = formatNumber(update.grad_norm);
  const text = update.clip_norm === null
    ? `Stage 1, clipping: off (no clip_norm); the raw gradient's norm ‖g‖ = ${norm} goes to the optimiser as it is.`
    : update.clipped
      ? `Stage 1, clipping: ‖g‖ = ${norm} > clip_norm = ${formatNumber(update.clip_norm)}, so every gradient was scaled down to a global norm of ${formatNumber(update.clip_norm)} before the optimiser's rule.`
      : `Stage 1, clipping: ‖g‖ = ${norm} ≤ clip_norm = ${formatNumber(update.clip_norm)}: not clipped.`;
  element.replaceChildren(
    createHTML("p", { class: "clip-line", "data-clipped": String(update.clipped), text }),
    createHTML("p", { class: "note", text: `Stage 2: ${update.optimizer}'s rule on the gradient after clipping (the update view shows it with its numbers).` }),
  );
}
