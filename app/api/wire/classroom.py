"""A classroom's answers: the join code, and the view the teacher shows."""

from __future__ import annotations

from pydantic import Field

from app.api.wire.base import Wire


class JoinCode(Wire):
    """A session's join code, for students to follow it read-only (never its token)."""

    code: str = Field(description='Six characters easy to read aloud, e.g. "K7QX4M".')
    path: str = Field(description='The page that follows it, "/follow/<code>".')
    session: str = Field(description="The session's read-only id.")


class ClassView(Wire):
    """The view a session's owner shows: where a follower's page goes."""

    session: str = Field(description="The session's read-only id.")
    view: str | None = Field(
        description='The page\'s view, e.g. "e1-backward-3-2" (epoch 1, backward step t = 3, '
        "its second chain-rule term); null until the owner publishes one."
    )


class ViewEvent(Wire):
    """The `data` of a `view` server-sent event (it has no SSE id: not a change, not logged)."""

    seq: int = Field(description="The session's seq when the view was shown (its last change).")
    command: str = Field(description='Always "view".')
    view: str = Field(description='The view the owner now shows, e.g. "e1-backward-3-2".')


class SavedLink(Wire):
    """A saved scenario's name, for a short link."""

    name: str = Field(description="16 characters naming it (the same scenario: the same name).")
    path: str = Field(description='The page opening it, "/?saved=<name>" (add "&view=...").')
