"""Training a session for many epochs as a job: off the event loop, reporting progress,
stoppable within a second, applied to the session as one `train` command when it ends.

A job runs in a thread of the worker that started it (at most `max_jobs` at once per worker,
one per session). It trains a copy of the session's Run in chunks of about CHUNK_SECONDS;
between chunks it writes its progress as a note in the store and publishes a `progress`
event to the session's followers, and reads the stop flag (a note too, so that a stop sent
to any worker reaches it with Redis). When it ends or is stopped, the epochs trained so far
become the session's, if nobody changed the session meanwhile (else nothing is applied).
The curves are thinned to at most CURVE_POINTS buckets (app.core.curves), never cut.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.core import Divergence, Run
from app.core.curves import thin
from app.core.epochs import training_steps
from app.sessions.commands import Sessions
from app.sessions.events import make_event
from app.sessions.record import LOSS_HISTORY_KEPT
from app.sessions.replay import advanced
from app.sessions.store import SessionBusyError

CHUNK_SECONDS = 0.1  # between two looks at the stop flag, and two progress reports
NOTE_SECONDS = 3600.0  # how long a job's last report is kept
JOB, STOP = "job", "stop"


class JobRefusedError(Exception):
    """A job that cannot start (one is running, or the worker is full): the message says."""


@dataclass(eq=False)
class Job:
    """A running job, as its thread sees it."""

    session_id: str
    epochs: int
    start_epoch: int
    revision: int  # the session's revision it started from
    losses: list[float] = field(default_factory=list)  # L before each update
    norms: list[float] = field(default_factory=list)  # the raw gradient's global norm
    state: str = "running"  # running | done | stopped | not applied | failed
    message: str = ""
    first_divergence: tuple[int, Divergence] | None = None


@dataclass(eq=False)
class Jobs:
    """This worker's jobs, over the sessions' store."""

    sessions: Sessions
    max_jobs: int
    _running: set[str] = field(default_factory=set)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def start(self, session_id: str, token: str, epochs: int) -> dict[str, Any]:
        record = self.sessions.authorized(session_id, token)
        current = self.status(session_id)
        if current is not None and current["state"] == "running":
            raise JobRefusedError("this session is already training: stop that job first")
        with self._guard:
            if len(self._running) >= self.max_jobs:
                raise JobRefusedError(
                    f"this server is running {self.max_jobs} training jobs, its limit: "
                    "try again when one has finished"
                )
            self._running.add(session_id)
        run = self.sessions.cache.run_for(record)
        job = Job(session_id, epochs, run.epoch, record.revision)
        self.sessions.store.put_note(session_id, STOP, "", NOTE_SECONDS)
        report = self._report(job)
        threading.Thread(target=self._work, args=(job, run), daemon=True).start()
        return report

    def stop(self, session_id: str, token: str) -> dict[str, Any]:
        self.sessions.authorized(session_id, token)
        current = self.status(session_id)
        if current is None or current["state"] != "running":
            raise JobRefusedError("this session has no training job running")
        self.sessions.store.put_note(session_id, STOP, "stop", NOTE_SECONDS)
        return current

    def status(self, session_id: str) -> dict[str, Any] | None:
        """The job's last report (any worker's), or None if there never was one."""
        text = self.sessions.store.get_note(session_id, JOB)
        return None if text is None else json.loads(text)

    # ---- the job's thread ----------------------------------------------------------------

    def _work(self, job: Job, run: Run) -> None:
        try:
            run = self._train(job, run)
            self._apply(job, run)
        except SessionBusyError:
            job.state, job.message = (
                "not applied",
                (
                    "the session changed while it trained (a step, a reset or another command): "
                    "the epochs trained were not applied"
                ),
            )
        except Exception as error:  # a job must always report how it ended
            job.state, job.message = "failed", f"training stopped: {error}"
        finally:
            with self._guard:
                self._running.discard(job.session_id)
            self._report(job)

    def _train(self, job: Job, run: Run) -> Run:
        """Chunks of epochs, each about CHUNK_SECONDS, until done, stopped or not finite."""
        chunk, stop = 1, self.sessions.store
        while len(job.losses) < job.epochs:
            began = time.monotonic()
            size = min(chunk, job.epochs - len(job.losses))
            for run, record, first in training_steps(run, size):  # noqa: B007, B020
                job.losses.append(record.loss_before)
                job.norms.append(record.grad_norm)
                if first is not None and job.first_divergence is None:
                    job.first_divergence = first
            run = run.with_changes(loss_history=run.loss_history[-LOSS_HISTORY_KEPT:])
            spent = time.monotonic() - began
            chunk = max(1, min(2 * chunk, int(size * CHUNK_SECONDS / max(spent, 1e-6))))
            if stop.get_note(job.session_id, STOP) == "stop":
                job.state = "stopped"
                return run
            if not run.scenario.params.is_finite():
                job.state, job.message = "stopped", "the weights stopped being finite numbers"
                return run
            self._report(job)
        job.state = "done"
        return run

    def _apply(self, job: Job, after: Run) -> None:
        """The trained epochs become the session's: one `train` command, if nothing changed."""
        if not job.losses:
            return
        sessions = self.sessions
        with sessions.store.lock(job.session_id):
            record = sessions.load(job.session_id)
            if record.revision != job.revision:
                raise SessionBusyError(job.session_id)
            before = sessions.cache.run_for(record)
            changed = advanced(record, before, after)
            after = after.with_changes(loss_history=changed.loss_history)
            if not sessions.store.save(changed, make_event(changed, "train")):
                raise SessionBusyError(job.session_id)
            sessions.cache.put(changed, after)

    def _report(self, job: Job) -> dict[str, Any]:
        """Write the job's progress (thinned curves) as a note and tell the followers."""
        report = job_report(job)
        store = self.sessions.store
        store.put_note(job.session_id, JOB, json.dumps(report), NOTE_SECONDS)
        event = {"seq": job.revision, "command": "progress", "state": job.state}
        store.publish(job.session_id, event | {"done": len(job.losses), "epochs": job.epochs})
        return report


def job_report(job: Job) -> dict[str, Any]:
    """What the job route answers: where the job is, and its curves, thinned."""
    first = job.first_divergence
    return {
        "state": job.state,
        "epochs": job.epochs,
        "done": len(job.losses),
        "start_epoch": job.start_epoch,
        "message": job.message,
        "diverged": None
        if first is None
        else {
            "epoch": first[0],
            "phase": first[1].phase,
            "t": first[1].t,
            "quantity": first[1].quantity,
            "message": first[1].sentence(),
        },
        "loss": curve_json(job.losses),
        "grad_norm": curve_json(job.norms),
    }


def curve_json(values: list[float]) -> dict[str, list[Any]]:
    curve = thin(np.array(values, dtype=np.float64))
    finite = [
        [float(v) if np.isfinite(v) else None for v in part]
        for part in (curve.low, curve.high, curve.mean)
    ]
    return {
        "first": curve.first.tolist(),
        "last": curve.last.tolist(),
        "low": finite[0],
        "high": finite[1],
        "mean": finite[2],
    }
