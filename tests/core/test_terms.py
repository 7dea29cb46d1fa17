"""The chain-rule terms: their sum is the recursion's gradient; each is its factors' product."""

from itertools import pairwise

import numpy as np
from hypothesis import given, settings

from app.core.epochs import bptt
from app.core.graph import build_graph
from app.core.presets import get_preset
from tests.core.strategies import scenarios


@settings(max_examples=100, deadline=None)
@given(scenarios(max_T=6))
def test_path_sum_of_terms_equals_the_recursion_for_every_parameter(scenario):
    run = bptt(scenario)
    grads = run.backward[-1].grads
    for name, grad in grads.items():
        terms = [term for record in run.backward for term in record.terms if term.param == name]
        total = sum((term.value for term in terms), np.zeros_like(grad))
        np.testing.assert_allclose(total, grad, rtol=1e-10, atol=1e-12)
        if terms:
            np.testing.assert_array_equal(terms[-1].running, total)


@settings(max_examples=50, deadline=None)
@given(scenarios(max_T=6))
def test_each_step_completes_exactly_the_kept_terms_with_k_at_or_after_t(scenario):
    config, T = scenario.config, scenario.T
    run = bptt(scenario)
    for record in run.backward:
        for term in record.terms:
            assert term.t == record.t
            assert term.k in config.loss_steps(T) and term.k >= term.t
            assert config.keeps_term(term.k, term.t)
    hidden = {(r.t, term.k) for r in run.backward for term in r.terms if term.param == "W_h"}
    expected = {
        (t, k) for k in config.loss_steps(T) for t in range(1, k + 1) if config.keeps_term(k, t)
    }
    assert hidden == expected


def test_term_factors_multiply_to_its_value_and_run_along_its_path():
    scenario = get_preset("hello").scenario
    run = bptt(scenario)
    graph = build_graph(scenario.config, scenario.T)
    edge_ids = {edge.id for edge in graph.edges}
    node_ids = {node.id for node in graph.nodes}
    for record in run.backward:
        for term in record.terms:
            row = term.factors[0].value.reshape(-1)
            for factor in term.factors[1:-1]:
                row = row @ factor.value
            direct = term.factors[-1].value
            expected = row[:, None] * direct if direct.ndim == 2 else row * direct
            np.testing.assert_allclose(term.value, expected, rtol=1e-14)
            assert term.value.shape == scenario.params.trained()[term.param].shape
            assert {f.edge for f in term.factors} <= set(term.path.edges) <= edge_ids
            assert set(term.path.nodes) <= node_ids


def test_vanishing_terms_shrink_with_distance():
    run = bptt(get_preset("vanishing").scenario)
    terms = {term.t: term for record in run.backward for term in record.terms if term.param == "b"}
    sizes = [np.linalg.norm(terms[t].value) for t in range(20, 0, -1)]
    assert all(later < earlier for earlier, later in pairwise(sizes))
    assert sizes[-1] < 1e-4 * sizes[0]
