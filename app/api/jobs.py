"""Training jobs: many epochs off the event loop, with progress, stoppable (app/sessions/jobs.py).

POST .../jobs/train starts one (202), POST .../jobs/stop asks it to stop, GET .../job reads
its progress; while it runs, the session's event stream carries `progress` events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from app.api.bodies import StrictBodyRoute
from app.api.deps import SettingsDep, TokenDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.openapi import BODY, CHANGE, STORE, documented
from app.api.schemas import JobIn
from app.api.wire import TrainingJob
from app.api.worker import SessionsDep, call
from app.core import ScenarioError
from app.sessions.jobs import JobRefusedError, Jobs

router = APIRouter(
    prefix="/sessions",
    tags=["training jobs"],
    default_response_class=StrictJSONResponse,
    route_class=StrictBodyRoute,
)


def jobs_of(request: Request) -> Jobs:
    return request.app.state.jobs


async def answer(sessions: Any, work: Callable[[], dict[str, Any]], code: int = 200) -> Any:
    try:
        report = await call(sessions, work)
    except JobRefusedError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    return StrictJSONResponse(TrainingJob.make(report), code)


@router.post(
    "/{session_id}/jobs/train",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Train many epochs as a job",
    **documented(TrainingJob, "The job, started.", *CHANGE, 409, *BODY, status=202),
)
async def start_job(
    session_id: str,
    body: JobIn,
    token: TokenDep,
    request: Request,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> StrictJSONResponse:
    """Finish the current epoch and go on for `epochs` updates in a thread; answers at once.
    409 while the session has a job running, or when the worker runs its BPTT_MAX_JOBS."""
    if body.epochs > settings.max_job_epochs:
        raise ScenarioError("epochs", f"must be <= {settings.max_job_epochs} for a job")
    jobs = jobs_of(request)
    return await answer(sessions, lambda: jobs.start(session_id, token, body.epochs), 202)


@router.post(
    "/{session_id}/jobs/stop",
    summary="Stop the training job",
    **documented(TrainingJob, "The job as it was when asked to stop.", *CHANGE, 409),
)
async def stop_job(
    session_id: str, token: TokenDep, request: Request, sessions: SessionsDep
) -> StrictJSONResponse:
    """The job stops within about a second; the epochs trained so far become the session's."""
    jobs = jobs_of(request)
    return await answer(sessions, lambda: jobs.stop(session_id, token))


@router.get(
    "/{session_id}/job",
    summary="The training job's progress",
    **documented(TrainingJob, "Its state, epochs done, thinned curves.", 404, *STORE),
)
async def read_job(session_id: str, request: Request, sessions: SessionsDep) -> StrictJSONResponse:
    """The last report of the session's job (any worker's); 404 if it never had one."""
    jobs = jobs_of(request)

    def read() -> dict[str, Any]:
        sessions.load(session_id)
        report = jobs.status(session_id)
        if report is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "this session has had no training job")
        return report

    return await answer(sessions, read)
