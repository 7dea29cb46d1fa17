"""One chain-rule term in full, built when asked for: GET /api/sessions/{id}/terms/{term};
and every running sum of the epoch ahead of its steps: GET /api/sessions/{id}/sums.

A backward step answers only each term's summary (its k, t and size); this route builds
the term's factors from what the session's records keep.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, status

from app.api.deps import SettingsDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.openapi import STORE, documented
from app.api.wire import EpochSums, TermDetail
from app.api.worker import SessionsDep, call
from app.core import BackwardRecord, Run, TermNotFoundError, epoch_terms, term_detail
from app.settings import Settings

# Longer runs answer no sums: every term built in full is about 1 ms at T = 16 (0.4 s a call).
SUMS_MOST_STEPS = 16

router = APIRouter(prefix="/sessions", tags=["sessions"], default_response_class=StrictJSONResponse)


def parse_term_id(term_id: str) -> tuple[str, int, int]:
    """'W_h:3:2' -> ('W_h', 3, 2); 404 for anything else."""
    param, _, rest = term_id.partition(":")
    k, _, t = rest.partition(":")
    if not (param and k.isdigit() and t.isdigit()):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"no term {term_id!r}: a term id is param:k:t, e.g. W_h:3:2"
        )
    return param, int(k), int(t)


@router.get(
    "/{session_id}/terms/{term_id}",
    summary="One chain-rule term, with its factors",
    **documented(TermDetail, "The term: factors, value, running sums, path.", 404, 422, *STORE),
)
async def read_term(
    session_id: str,
    term_id: str,
    sessions: SessionsDep,
    settings: SettingsDep,
    epoch: int | None = Query(
        None, description="The epoch the term belongs to; 404 unless it is the session's."
    ),
) -> StrictJSONResponse:
    """term(k, t) of `param` (id "param:k:t", as the backward record's summaries name it):
    its factors in the order multiplied, its value, dL/dparam so far, every parameter's
    running sum at this term, and its path. 404 until backward step t has been taken."""
    param, k, t = parse_term_id(term_id)

    def build() -> StrictJSONResponse:
        run = sessions.read(session_id).run
        return StrictJSONResponse(_term_detail(run, param, k, t, epoch, settings))

    return await call(sessions, build)


@router.get(
    "/{session_id}/sums",
    summary="Every term of the epoch's running sums, ahead of the backward steps",
    **documented(
        EpochSums, "Per parameter of one number, its terms in order.", 404, 409, 422, *STORE
    ),
)
async def read_sums(
    session_id: str,
    sessions: SessionsDep,
    epoch: int | None = Query(
        None, description="The epoch asked about; 404 unless it is the session's."
    ),
) -> StrictJSONResponse:
    """For each parameter of one number, every term of this epoch (the backward steps not yet
    taken computed on a copy: nothing changes) with before, value and so far, in the order a
    page walks them; none for a run of more than 16 steps. 409 until the forward pass is
    complete."""

    def build() -> StrictJSONResponse:
        run = sessions.read(session_id).run
        _same_epoch(run, epoch)
        config, params = run.scenario.config, run.scenario.params
        singles = (
            ()
            if run.T > SUMS_MOST_STEPS
            else tuple(name for name in config.param_names if params[name].size == 1)
        )
        return StrictJSONResponse(EpochSums.of(run, epoch_terms(run, singles)))

    return await call(sessions, build)


def _same_epoch(run: Run, epoch: int | None) -> None:
    """404 unless `epoch` (when asked) is the session's."""
    if epoch is not None and epoch != run.epoch:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"the session is in epoch {run.epoch}: the terms of epoch {epoch} are gone",
        )


def _term_detail(
    run: Run, param: str, k: int, t: int, epoch: int | None, settings: Settings
) -> TermDetail:
    """The term in full from the session's run, or a 404 saying why there is none."""
    _same_epoch(run, epoch)
    try:
        term = term_detail(run, param, k, t)
    except TermNotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    return TermDetail.of(run, term, settings.inline_factor_size)


def first_term(run: Run, record: BackwardRecord, settings: Settings) -> TermDetail | None:
    """The first term backward step `record` completes (the first parameter's smallest k, as
    a client lists them), in full; None when it completes none."""
    group = next((terms for terms in record.terms if terms.ks), None)
    if group is None:
        return None
    return _term_detail(run, group.param, group.ks[0], group.t, None, settings)
