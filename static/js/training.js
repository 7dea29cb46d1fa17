// "Train N epochs" as a job (POST .../jobs/train): a progress bar moved by the session's
// `progress` events, the loss and gradient-norm curves (thinned by the server) growing as it
// goes, and Stop. When the job ends the page reloads the session's state.

import { api, ApiError } from "./api.js";
import { formatNumber } from "./format.js";
import { renderLogChart } from "./logchart.js";

const $ = (id) => document.getElementById(id);

/** hooks: current() -> {id, token} or null; ended() reloads the session once a job is over. */
export function watchTraining({ current, ended }) {
  const local = { source: null, reading: false, again: false, id: null };

  function draw(job) {
    const bar = $("job-progress");
    bar.max = job.epochs;
    bar.value = job.done;
    $("job-status").textContent = `${job.state}: ${job.done.toLocaleString("en")} of ${job.epochs.toLocaleString("en")} epochs`
      + (job.message ? ` — ${job.message}` : "") + (job.diverged ? ` — ${job.diverged.message}` : "");
    $("job-status").dataset.state = job.state;
    const points = (curve) => curve.mean.map((value, index) => ({ x: curve.last[index], value }));
    renderLogChart($("job-loss"), points(job.loss), { label: "Loss per epoch (mean of each bucket)", xName: "epoch" });
    renderLogChart($("job-norm"), points(job.grad_norm), { label: "Gradient norm per epoch (mean of each bucket)", xName: "epoch" });
    const last = job.loss.mean.at(-1);
    $("job-last").textContent = last === undefined ? "" : `last loss ${formatNumber(last)}, gradient norm ${formatNumber(job.grad_norm.mean.at(-1))}`;
    $("job-stop").disabled = job.state !== "running";
    $("job-start").disabled = job.state === "running";
  }

  async function read() {
    if (local.reading) { local.again = true; return; }
    local.reading = true;
    try {
      const job = await api.job(local.id);
      draw(job);
      if (job.state !== "running") finish();
    } catch (error) {
      $("job-status").textContent = `The job's progress could not be read: ${error.message}`;
    } finally {
      local.reading = false;
      if (local.again) { local.again = false; read(); }
    }
  }

  function finish() {
    local.source?.close();
    local.source = null;
    ended();
  }

  $("job-start").addEventListener("click", async () => {
    const session = current();
    if (!session?.token) return;
    const epochs = Number($("job-epochs").value);
    try {
      local.id = session.id;
      local.source?.close();
      local.source = new EventSource(api.eventsUrl(session.id));
      local.source.addEventListener("progress", () => read());
      draw(await api.startJob(session.id, session.token, epochs));
    } catch (error) {
      local.source?.close();
      local.source = null;
      $("job-status").textContent = error instanceof ApiError && Array.isArray(error.detail) ? error.detail[0].msg : error.message;
    }
  });
  $("job-stop").addEventListener("click", async () => {
    const session = current();
    if (!session?.token) return;
    try {
      await api.stopJob(session.id, session.token);
    } catch (error) {
      $("job-status").textContent = error.message;
    }
    read();
  });

  return {
    /** Another session: forget the last one's job. */
    reset(id, token) {
      $("job-start").disabled = !token;
      if (local.id === id) return;
      local.source?.close();
      local.source = null;
      local.id = id;
      $("job-stop").disabled = true;
    },
  };
}
