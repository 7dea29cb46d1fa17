"""Store makers for the parametrised store tests."""

from __future__ import annotations

from collections.abc import Callable

from app.sessions import SessionStore

StoreMaker = Callable[..., SessionStore]
