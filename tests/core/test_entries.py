"""Each factor's entry template, filled with the term's numbers, is the factor's entry; the
term is diag(row) times its last factor; running = previous + value."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from app.core import bptt, get_preset, term_detail
from app.core.model import Scenario

PLACEHOLDER = re.compile(r"\[\[(\w+)(?::(ij|i|j))?\]\]")


def filled(template: str, numbers: dict[str, np.ndarray], i: int, j: int) -> float:
    """The template as arithmetic: its placeholders replaced by the numbers of entry (i, j)."""

    def number(match: re.Match[str]) -> str:
        name, index = match.groups()
        if name == "*":
            return "*"
        value = numbers[name]
        picked = {"ij": lambda: value[i, j], "i": lambda: value[i], "j": lambda: value[j]}
        return f"({float(picked[index]() if index else value):.17g})"

    text = PLACEHOLDER.sub(number, template.replace("[[*]]", "*")).replace("^", "**")
    text = text.replace(r"\mathbb{1}[", "float(").replace("> 0]", "> 0)")
    return eval(text, {"float": float})  # arithmetic built just above


def entries_of(value: np.ndarray) -> list[tuple[int, int]]:
    """(i, j) of every entry: a row (1, K) is (0, j), a vector (n,) is (i, 0)."""
    if value.ndim == 1:
        return [(i, 0) for i in range(value.shape[0])]
    return [(i, j) for i in range(value.shape[0]) for j in range(value.shape[1])]


def entry_of(value: np.ndarray, i: int, j: int) -> float:
    return float(value[i] if value.ndim == 1 else value[i, j])


def relu_scenario() -> Scenario:
    base = get_preset("hello").scenario
    return Scenario(replace(base.config, activation="relu"), base.params, base.inputs, base.targets)


SCENARIOS = {
    "seed-3-step": lambda: get_preset("seed-3-step").scenario,
    "hello": lambda: get_preset("hello").scenario,
    "vanishing": lambda: get_preset("vanishing").scenario,
    "exploding": lambda: get_preset("exploding").scenario,
    "hello-relu": relu_scenario,
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_filled_entry_is_the_factors_entry(name: str) -> None:
    run = bptt(SCENARIOS[name]())
    checked = 0
    for record in run.backward:
        for summary in record.terms:
            for k in summary.ks:
                term = term_detail(run, summary.param, k, record.t)
                numbers = {number.name: number.value for number in term.numbers}
                for factor in term.factors:
                    assert factor.entry, f"{factor.symbol} of {term.param}:{k}:{term.t}"
                    for i, j in entries_of(factor.value):
                        shown = filled(factor.entry, numbers, i, j)
                        assert shown == pytest.approx(entry_of(factor.value, i, j), rel=1e-12)
                        checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_term_is_diag_row_times_its_last_factor(name: str) -> None:
    run = bptt(SCENARIOS[name]())
    for record in run.backward:
        for summary in record.terms:
            for k in summary.ks:
                term = term_detail(run, summary.param, k, record.t)
                last = term.factors[-1].value
                scaled = np.diag(term.row) @ (last if last.ndim == 2 else last[:, None])
                np.testing.assert_allclose(scaled.reshape(term.value.shape), term.value)
                np.testing.assert_allclose(term.previous + term.value, term.running)


def test_the_seed_recurrent_factor_reads_as_the_notes_write_it() -> None:
    run = bptt(get_preset("seed-3-step").scenario)
    term = term_detail(run, "W_h", 3, 2)
    recurrent = next(factor for factor in term.factors if factor.kind == "recurrent")
    assert recurrent.entry == "(1 - [[h_3:i]]^2) [[*]] [[W_h:ij]]"
    numbers = {number.name: float(np.ravel(number.value)[0]) for number in term.numbers}
    assert (1 - numbers["h_3"] ** 2) * numbers["W_h"] == pytest.approx(recurrent.value[0, 0])
