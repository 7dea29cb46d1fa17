"""The chain-rule terms: their sum is the recursion's gradient; each is its factors' product."""

from itertools import pairwise

import numpy as np
from hypothesis import given, settings

from app.core.epochs import bptt
from app.core.graph import build_graph
from app.core.model import Config, Scenario, init_params
from app.core.presets import get_preset
from app.core.trace import term_detail, term_sizes, terms_at
from tests.core.strategies import scenarios


def _all_terms(run):
    return [term for record in run.backward for term in terms_at(run, record.t)]


@settings(max_examples=100, deadline=None)
@given(scenarios(max_T=6))
def test_path_sum_of_terms_equals_the_recursion_for_every_cell_and_parameter(scenario):
    run = bptt(scenario)
    grads = run.backward[-1].grads
    terms = _all_terms(run)
    for name, grad in grads.items():
        mine = [term for term in terms if term.param == name]
        total = sum((term.value for term in mine), np.zeros_like(grad))
        np.testing.assert_allclose(total, grad, rtol=1e-10, atol=1e-12)
        if mine:
            np.testing.assert_allclose(mine[-1].running, total, rtol=1e-10, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(scenarios(max_T=6))
def test_summaries_give_each_terms_size_and_small_value(scenario):
    run = bptt(scenario)
    for record in run.backward:
        for summary in record.terms:
            for index, k in enumerate(summary.ks):
                term = term_detail(run, summary.param, k, record.t)
                size = np.linalg.norm(term.value)
                assert np.isclose(summary.sizes[index], size, rtol=1e-10, atol=1e-14)
                np.testing.assert_allclose(
                    summary.values[index], term.value, rtol=1e-10, atol=1e-14
                )


@settings(max_examples=50, deadline=None)
@given(scenarios(max_T=6))
def test_each_step_completes_exactly_the_kept_terms_with_k_at_or_after_t(scenario):
    config, T = scenario.config, scenario.T
    run = bptt(scenario)
    hidden = set()
    for record in run.backward:
        for summary in record.terms:
            assert summary.t == record.t
            for k in summary.ks:
                assert k in config.loss_steps(T) and k >= record.t
                assert config.keeps_term(k, record.t)
                if summary.param == config.cell_params[0]:
                    hidden.add((record.t, k))
    expected = {
        (t, k) for k in config.loss_steps(T) for t in range(1, k + 1) if config.keeps_term(k, t)
    }
    assert hidden == expected


@settings(max_examples=40, deadline=None)
@given(scenarios(max_T=6))
def test_batched_term_sizes_equal_the_terms_built_one_by_one(scenario):
    run = bptt(scenario)
    built = {}  # every term built one by one, once per step (not again per parameter and k)
    for t in range(1, run.T + 1):
        for term in terms_at(run, t):
            built.setdefault((term.param, term.k, t), term)
    for param in scenario.config.param_names:
        sizes = term_sizes(run, param)
        for k in range(1, run.T + 1):
            for t in range(1, run.T + 1):
                if (param, k, t) in built:
                    expected = np.linalg.norm(built[param, k, t].value)
                    assert np.isclose(sizes[k - 1, t - 1], expected, rtol=1e-10, atol=1e-14)
                else:
                    assert np.isnan(sizes[k - 1, t - 1])


def _check_factors(scenario):
    run = bptt(scenario)
    graph = build_graph(scenario.config, scenario.T)
    edge_ids = {edge.id for edge in graph.edges}
    node_ids = {node.id for node in graph.nodes}
    n_states = len(scenario.config.rnn.states)
    for term in _all_terms(run):
        row = term.factors[0].value.reshape(-1)
        for factor in term.factors[1:-1]:
            row = row @ factor.value
        direct = term.factors[-1].value
        expected = row[:, None] * direct if direct.ndim == 2 else row * direct
        if term.param in scenario.config.cell_params and n_states > 1:
            expected = expected.reshape(n_states, -1, *expected.shape[1:]).sum(axis=0)
        np.testing.assert_allclose(term.value, expected, rtol=1e-12, atol=1e-15)
        assert term.value.shape == scenario.params[term.param].shape
        assert {f.edge for f in term.factors} <= set(term.path.edges) <= edge_ids
        assert set(term.path.nodes) <= node_ids


def test_term_factors_multiply_to_its_value_and_run_along_its_path():
    _check_factors(get_preset("hello").scenario)


def test_lstm_term_factors_multiply_to_its_value_through_the_whole_state():
    config = Config(2, 3, 2, cell="lstm", mode="many_to_many")
    rng = np.random.default_rng(5)
    scenario = Scenario(
        config, init_params(config, 5), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    )
    _check_factors(scenario)
    term = term_detail(bptt(scenario), "W_xf", 4, 2)
    assert [f.shape for f in term.factors] == [(1, 2), (2, 6), (6, 6), (6, 6), (6, 2)]


def test_vanishing_terms_shrink_with_distance():
    run = bptt(get_preset("vanishing").scenario)
    sizes = term_sizes(run, "b")[19, ::-1]  # the loss at t = 20, reaching back to t = 20 .. 1
    assert all(later < earlier for earlier, later in pairwise(sizes))
    assert sizes[-1] < 1e-4 * sizes[0]
