from __future__ import annotations

import pytest

from app.settings import Settings


def test_limits_come_from_bptt_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BPTT_MAX_SESSIONS", "5")
    monkeypatch.setenv("BPTT_SESSION_TTL_SECONDS", "30")
    settings = Settings()
    assert (settings.max_sessions, settings.session_ttl_seconds) == (5, 30.0)
    assert Settings.model_fields["max_steps"].default == 200
    assert Settings.model_fields["max_hidden_size"].default == 64
