"""The one error a scenario can raise: which field, and which rule it breaks."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario breaks a rule; `field` names where, the message says which rule."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.rule = message
