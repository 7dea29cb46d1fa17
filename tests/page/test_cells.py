"""The GRU and LSTM presets open and step term by term on the page (their own rows and gate
views come later): no console error, each term's factors fetched and shown."""

from __future__ import annotations

import pytest

from tests.page.conftest import Watched
from tests.page.helpers import press_and_wait


@pytest.mark.parametrize("preset", ["gru-update-gate", "lstm-remembers"])
def test_a_gated_cell_steps_forward_backward_and_term_by_term(watched: Watched, preset) -> None:
    page = watched.page
    watched.open(f"/?preset={preset}")
    for t in range(1, 21):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 20, term 1 of")
    first = watched.state()["backward"][0]["terms"][0]
    cards = page.locator("#formula .factor")
    assert cards.count() == len(first["factors"])
    press_and_wait(page, "ArrowRight", "Showing backward step t = 20, term 2 of")
    assert page.locator("#formula .factor").count() >= 3
    assert watched.errors == []
