"""Every limit of the API in one place; each can be set from the environment as BPTT_<NAME>.

For example `BPTT_MAX_SESSIONS=50 uvicorn app.main:app`. The defaults keep a single
process serving a classroom: the largest request stays well under a second of work
and every session's memory is bounded.
"""

from pydantic import Field
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
    max_gradcheck_steps: int = Field(
        250_000,
        ge=1,
        description="Most forward steps one gradient check may take: 4 x entries x T, "
        "times T again when truncation < T.",
    )
    max_sessions: int = Field(
        1000, ge=1, description="Live sessions kept; the least recently used goes first."
    )
    session_ttl_seconds: float = Field(
        7200.0, gt=0, description="A session unused this long (default 2 h) is evicted."
    )
    redis_url: str | None = Field(
        None,
        description="Keep sessions in Redis (e.g. redis://127.0.0.1:6379/0) so several "
        "workers share them and a restart keeps them; unset: in this process's memory.",
    )
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
