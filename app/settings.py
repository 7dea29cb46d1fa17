"""Every limit of the API in one place; each can be set from the environment as BPTT_<NAME>.

For example `BPTT_MAX_SESSIONS=50 uvicorn app.main:app`. The defaults keep a single
process serving a classroom: the largest request stays well under a second of work
and every session's memory is bounded.
"""

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The API's limits and lifetimes (environment variables BPTT_MAX_INPUT_SIZE, ...)."""

    model_config = SettingsConfigDict(env_prefix="BPTT_", frozen=True)

    max_body_bytes: int = Field(
        1_000_000, ge=1, description="Largest request body; a bigger one is refused (413)."
    )
    max_json_depth: int = Field(
        32,
        ge=4,
        description="Deepest nesting of arrays and objects in a body (a scenario "
        "needs 4); deeper is refused (422).",
    )
    body_timeout_seconds: float = Field(
        20.0,
        gt=0,
        description="Longest a client may take to send its request body; a "
        "client that stops mid-body is answered 408 and dropped.",
    )
    max_input_size: int = Field(16, ge=1, description="Largest input_size d.")
    max_hidden_size: int = Field(64, ge=1, description="Largest hidden_size H.")
    max_output_size: int = Field(16, ge=1, description="Largest output_size K.")
    max_steps: int = Field(200, ge=1, description="Largest sequence length T.")
    max_epochs_per_train: int = Field(1000, ge=1, description="Largest `epochs` in one train call.")
    max_job_epochs: int = Field(100_000, ge=1, description="Largest `epochs` of a training job.")
    max_jobs: int = Field(
        2, ge=1, description="Training jobs running at once per worker (each in a thread)."
    )
    train_budget_seconds: float = Field(
        4.0,
        gt=0,
        description="Most work one train call may take: epochs x T steps, each costed for "
        "its cell and sizes (app/api/limits.py), about this many seconds on the reference "
        "machine (docs/performance.md); e.g. 1,000 Elman epochs at T = 200, H = 64 fit, an "
        "LSTM that size ~98.",
    )
    max_gradcheck_steps: int = Field(
        250_000,
        ge=1,
        description="Most forward steps one gradient check may take: 4 x entries x T, "
        "times T again when truncation < T.",
    )
    gradcheck_budget_seconds: float = Field(
        4.0,
        gt=0,
        description="Most work one gradient check may take: its forward steps, each costed "
        "for its cell and sizes (app/api/limits.py), about this many seconds on the "
        "reference machine (docs/performance.md).",
    )
    flow_budget_seconds: float = Field(
        4.0,
        gt=0,
        description="Most work one GET /flow may take: the regime gauge's SVDs and "
        "eigensolves and its whole passes (a what-if at another scale; the full gradient "
        "beside a truncated one), costed for the cell and sizes (app/api/limits.py); every "
        "scenario within the default size limits fits.",
    )
    max_sessions: int = Field(
        1000,
        ge=1,
        description="Live sessions kept. Past it, the least recently used session of the "
        "client holding the most goes (the creating client's own if it holds as many).",
    )
    max_sessions_per_client: int = Field(
        400,
        ge=1,
        description="Live sessions one client (one address) may hold, e.g. a class behind "
        "a school's one address; past it, that client's own least recently used goes.",
    )
    trust_forwarded_for: bool = Field(
        False,
        description="Take the client's address from the last X-Forwarded-For entry (the one "
        "your reverse proxy appended); off: the connection's address.",
    )
    create_burst: int = Field(
        300,
        ge=1,
        description="Sessions one client may create at once (per worker), before "
        "BPTT_CREATE_PER_SECOND applies: a class of 300 behind one address starts at once.",
    )
    create_per_second: float = Field(
        20.0,
        gt=0,
        description="Sessions one client may create per second (per worker) once its burst "
        "is spent; past it the answer is 429 with Retry-After.",
    )
    heavy_burst: int = Field(
        300,
        ge=1,
        description="Heavy calls (train, bptt, gradcheck) one client may make at once (per "
        "worker), before BPTT_HEAVY_PER_SECOND applies. Steps are not limited.",
    )
    heavy_per_second: float = Field(
        30.0,
        gt=0,
        description="Heavy calls one client may make per second (per worker) once its burst "
        "is spent; past it the answer is 429 with Retry-After.",
    )
    heavy_jobs: int = Field(
        os.cpu_count() or 2,
        ge=1,
        description="Commands running in worker threads at once, per worker (default: the "
        "number of cores), so the event loop always has a core to answer on.",
    )
    session_ttl_seconds: float = Field(
        7200.0, gt=0, description="A session unused this long (default 2 h) is evicted."
    )
    redis_url: str | None = Field(
        None,
        description="Keep sessions in Redis (e.g. redis://127.0.0.1:6379/0) so several "
        "workers share them and a restart keeps them; unset: in this process's memory.",
    )
    saved_dir: Path | None = Field(
        Path("var/saved"),
        description="Where scenarios too large for a link are kept, one file each, so a link "
        "outlives a restart (relative to the working directory; ignored with Redis, which "
        "keeps them itself). Set it empty to keep them in memory only.",
    )

    @field_validator("saved_dir", mode="before")
    @classmethod
    def _empty_is_memory(cls, value: object) -> object:
        return None if value == "" else value

    redis_timeout_seconds: float = Field(
        0.5, gt=0, description="Longest wait for Redis before a request answers 503."
    )
    event_log_size: int = Field(
        100, ge=1, description="Events kept per session for followers that reconnect."
    )
    events_keepalive_seconds: float = Field(
        15.0, gt=0, description="How often an idle event stream sends a keep-alive comment."
    )
    run_cache_size: int = Field(
        1000,
        ge=0,
        description="Sessions whose steps this worker keeps computed (never shared): a step "
        "of one of them needs no replay of its epoch.",
    )
    run_cache_bytes: int = Field(
        256_000_000, ge=0, description="About how much memory those computed steps may take."
    )
    inline_factor_size: int = Field(
        64,
        ge=0,
        description="A recurrent factor, a backward record's jacobian, or a term's value "
        "with more numbers than this is sent as null (a term's factors come from GET "
        "/api/sessions/{id}/terms/{param}:{k}:{t}).",
    )
