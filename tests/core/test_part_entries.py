"""A factor the notes write as a product (sigmoid + BCE: dl/dz = dl/dyhat * dyhat/dz) carries
each part's entry template, as a factor does: the template with the term's numbers is the
part's entry, and the parts' entries multiplied are the factor's."""

from __future__ import annotations

import numpy as np
import pytest

from app.core import bptt, get_preset, term_detail
from app.core.model import Config, Scenario, init_params
from tests.core.test_entries import entries_of, entry_of, filled_entry


def vector_bce() -> Scenario:
    """Sigmoid + BCE with K = 3 outputs at every step: the parts are rows (1, 3)."""
    config = Config(2, 3, 3, "tanh", "sigmoid_bce", "many_to_many", True, 0.1)
    rng = np.random.default_rng(2)
    inputs, targets = rng.normal(size=(3, 2)), rng.integers(0, 2, size=(3, 3)).astype(float)
    return Scenario(config, init_params(config, 5), inputs, targets)


SCENARIOS = {
    "seed-3-step": lambda: get_preset("seed-3-step").scenario,
    "saw-a-one": lambda: get_preset("saw-a-one").scenario,
    "vector-bce": vector_bce,
}


def loss_factors(scenario: Scenario):
    """(term, its loss factor) for the first term of every backward step."""
    run = bptt(scenario)
    for record in run.backward:
        summary = record.terms[0]
        for k in summary.ks:
            term = term_detail(run, summary.param, k, record.t)
            yield term, term.factors[0]


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_filled_part_entry_is_the_parts_entry(name: str) -> None:
    checked = 0
    for term, loss in loss_factors(SCENARIOS[name]()):
        assert loss.kind == "loss" and len(loss.parts) == 2
        numbers = {number.name: number.value for number in term.numbers}
        for i, j in entries_of(loss.value):
            product = 1.0
            for part in loss.parts:
                assert part.entry, part.symbol
                shown = filled_entry(part.entry, part.value, numbers, i, j)
                assert shown == pytest.approx(entry_of(part.value, i, j), rel=1e-12)
                product *= shown
                checked += 1
            assert product == pytest.approx(entry_of(loss.value, i, j), rel=1e-12)
    assert checked >= 4


def test_the_seed_loss_parts_read_as_the_notes_write_them() -> None:
    run = bptt(get_preset("seed-3-step").scenario)
    term = term_detail(run, "W_h", 3, 2)
    dl_dyhat, dyhat_dz = term.factors[0].parts
    assert dl_dyhat.entry == (
        (r"-\frac{[[y_3:j]]}{[[yhat_3:j]]} + \frac{1 - [[y_3:j]]}{1 - [[yhat_3:j]]}",),
    )
    assert dyhat_dz.entry == (("[[yhat_3:j]] [[*]] (1 - [[yhat_3:j]])",),)
    numbers = {number.name: float(np.ravel(number.value)[0]) for number in term.numbers}
    y, yhat = numbers["y_3"], numbers["yhat_3"]
    assert -y / yhat + (1 - y) / (1 - yhat) == pytest.approx(dl_dyhat.value.item())
    assert yhat * (1 - yhat) == pytest.approx(dyhat_dz.value.item())


def test_an_output_without_parts_has_no_part_entries() -> None:
    """softmax + cross-entropy (hello) writes dl/dz = yhat - y in one piece: no parts."""
    for _, loss in loss_factors(get_preset("hello").scenario):
        assert loss.parts == ()
