"""Truncation's cost: the truncated gradient against the term definition (the sum of the kept
terms of a full pass), the dropped terms, and the relative gap."""

from dataclasses import replace

import numpy as np
import pytest

from app.core.epochs import bptt
from app.core.model import Scenario
from app.core.presets import get_preset
from app.core.stepper import backward_step, whole_forward
from app.core.trace import term_detail
from app.core.truncation import dropped_sizes, truncation_gaps, untruncated


def truncated(name: str, tau: int) -> Scenario:
    scenario = get_preset(name).scenario
    config = replace(scenario.config, truncation=tau)
    return Scenario(config, scenario.params, scenario.inputs, scenario.targets)


def kept_sum(full_run, param: str, tau: int) -> np.ndarray:
    """sum over k - t < tau of term(k, t), each term from the full pass's definition."""
    config, T = full_run.scenario.config, full_run.T
    total = np.zeros_like(full_run.scenario.params[param])
    for t in range(1, T + 1):
        ks = (t,) if param in config.output_params else config.kept_losses(t, T)
        ks = tuple(k for k in ks if k in config.loss_steps(T))
        for k in ks:
            if k - t < tau:
                total = total + term_detail(full_run, param, k, t).value
    return total


@pytest.mark.parametrize(
    ("name", "tau"),
    [("sine-next-value", 3), ("hello", 1), ("gru-update-gate", 5), ("lstm-remembers", 4)],
)
def test_the_truncated_gradient_is_the_sum_of_the_kept_terms(name, tau):
    scenario = truncated(name, tau)
    run = bptt(scenario)
    full = bptt(untruncated(scenario))
    gaps = truncation_gaps(run)
    assert [gap.param for gap in gaps] == list(scenario.config.param_names)
    for gap in gaps:
        expected = kept_sum(full, gap.param, tau)
        np.testing.assert_allclose(gap.truncated, expected, rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(gap.full, full.backward[-1].grads[gap.param], rtol=0, atol=0)
        gap_size, full_size = np.linalg.norm(expected - gap.full), np.linalg.norm(gap.full)
        if full_size == 0:  # e.g. an LSTM gate no loss reaches: both sums are 0
            assert gap_size == 0 and gap.relative == 0.0
        else:
            assert gap.relative == pytest.approx(gap_size / full_size, rel=1e-6, abs=1e-12)


def test_a_window_as_long_as_the_sequence_loses_nothing():
    scenario = truncated("sine-next-value", 12)
    for gap in truncation_gaps(bptt(scenario)):
        assert gap.relative == pytest.approx(0.0, abs=1e-14)


def test_no_gap_before_the_backward_pass_is_complete_or_without_truncation():
    assert truncation_gaps(bptt(get_preset("hello").scenario)) is None
    run = whole_forward(truncated("hello", 2))
    run, _ = backward_step(run)
    assert truncation_gaps(run) is None


def test_dropped_terms_are_the_full_passes_terms_outside_the_window():
    scenario = truncated("vanishing", 5)
    run = whole_forward(scenario)
    for _ in range(12):  # t = 20 .. 9
        run, _ = backward_step(run)
    full = bptt(untruncated(scenario))
    dropped = dropped_sizes(run, "b")
    for t in range(1, 21):
        if t >= 9 and 20 - t >= 5:
            value = term_detail(full, "b", 20, t).value
            assert dropped[0, t - 1] == pytest.approx(np.linalg.norm(value), rel=1e-12)
        else:
            assert np.isnan(dropped[0, t - 1])  # kept, or not stepped yet
    assert np.isnan(dropped_sizes(bptt(get_preset("vanishing").scenario), "b")).all()


@pytest.mark.parametrize(
    ("name", "tau"), [("sine-next-value", 3), ("gru-update-gate", 2), ("lstm-remembers", 1)]
)
def test_each_backward_step_summarises_the_terms_its_window_drops(name, tau):
    """Kept and dropped split the full pass's terms at t: the dropped are those with
    k - t >= tau, their sizes and values those of the term definition."""
    scenario = truncated(name, tau)
    run, full = bptt(scenario), bptt(untruncated(scenario))
    config = scenario.config
    for record, whole in zip(run.backward, full.backward, strict=True):
        t = record.t
        for summary in record.dropped:
            assert summary.param in config.cell_params
            assert all(k - t >= tau for k in summary.ks)
            for i, k in enumerate(summary.ks):
                value = term_detail(full, summary.param, k, t).value
                assert summary.sizes[i] == pytest.approx(np.linalg.norm(value), rel=1e-9)
                np.testing.assert_allclose(summary.values[i], value, rtol=1e-9, atol=1e-15)
        for param in config.cell_params:
            kept = [k for s in record.terms if s.param == param for k in s.ks]
            dropped = [k for s in record.dropped if s.param == param for k in s.ks]
            every = [k for s in whole.terms if s.param == param for k in s.ks]
            assert sorted(kept + dropped) == every
            assert all(k - t < tau for k in kept)
    assert any(record.dropped for record in run.backward)
    assert not any(record.dropped for record in full.backward)


def test_a_dropped_term_in_full_keeps_its_value_and_the_running_sum_skips_it():
    scenario = truncated("seed-3-step", 1)
    run, full = bptt(scenario), bptt(untruncated(scenario))
    record = next(r for r in run.backward if r.t == 2)
    term = term_detail(run, "W_h", 3, 2)
    assert term.dropped and not term_detail(run, "W_h", 3, 3).dropped
    np.testing.assert_allclose(term.value, term_detail(full, "W_h", 3, 2).value, rtol=1e-12)
    assert term.value != 0
    np.testing.assert_array_equal(term.previous, term.running)
    np.testing.assert_allclose(term.running, record.grads["W_h"], rtol=1e-12)
    np.testing.assert_allclose(term.running, run.backward[0].grads["W_h"], rtol=1e-12)
