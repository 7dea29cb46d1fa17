"""Join codes and owners' views, in memory and in Redis: one code a session, easy to read
aloud, never the token; gone with the session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.sessions import SessionStore
from app.sessions.codes import CODE_ALPHABET, is_view, make_classroom, normal_code


def test_a_session_has_one_code_from_the_readable_alphabet(
    make_store: Callable[..., SessionStore],
) -> None:
    classroom = make_classroom(make_store())
    codes = {name: classroom.code_for(name) for name in ("one", "two", "three")}
    assert classroom.code_for("one") == codes["one"]  # the same code when asked again
    assert len(set(codes.values())) == 3
    for name, code in codes.items():
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
        assert classroom.session_for(code) == name
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert classroom.session_for("222222" if "222222" not in codes.values() else "333333") is None


def test_the_owners_view_is_kept_for_late_joiners(make_store: Callable[..., SessionStore]) -> None:
    classroom = make_classroom(make_store())
    assert classroom.view_of("one") is None
    classroom.set_view("one", "e1-forward-2")
    classroom.set_view("one", "e1-backward-3-2")
    assert classroom.view_of("one") == "e1-backward-3-2"
    assert classroom.view_of("two") is None


def test_codes_and_views_expire_with_an_idle_session(
    make_store: Callable[..., SessionStore], idle: Callable[[SessionStore, float], None]
) -> None:
    store = make_store(ttl=0.3)
    classroom = make_classroom(store)
    code = classroom.code_for("one")
    classroom.set_view("one", "e1-start")
    idle(store, 0.2)
    assert classroom.session_for(code) == "one"  # touched: idle time starts again
    idle(store, 0.6)
    assert classroom.session_for(code) is None
    assert classroom.view_of("one") is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [("k7q x4m", "K7QX4M"), ("K7Q-X4M", "K7QX4M"), ("K7QX4", None), ("K7QX40", None)],
)
def test_a_typed_code_is_read_as_a_person_types_it(typed: str, code: str | None) -> None:
    assert normal_code(typed) == code


@pytest.mark.parametrize(
    ("view", "valid"),
    [
        ("e1-start", True),
        ("e12-forward-3", True),
        ("e2-backward-3", True),
        ("e2-backward-3-14", True),
        ("e2-update", True),
        ("e0-start", False),
        ("e1-forward-0", False),
        ("e1-sideways-2", False),
        ("e1-start ", False),
    ],
)
def test_views_are_named_as_the_page_names_them(view: str, valid: bool) -> None:
    assert is_view(view) is valid
