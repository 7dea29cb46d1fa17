"""Every preset is a complete scenario a teacher can open."""

import itertools

import numpy as np

from app.core.epochs import bptt, train
from app.core.presets import get_preset, list_presets
from app.core.stepper import start
from app.core.trace import term_detail, term_sizes


def test_every_preset_has_a_title_a_paragraph_and_runs():
    presets = list_presets()
    assert {p.id for p in presets} >= {"seed-3-step", "hello", "vanishing", "exploding"}
    for preset in presets:
        assert preset.title and len(preset.description) > 80
        assert bptt(preset.scenario).phase == "update"


def test_seed_preset_is_the_notes_example_with_readable_numbers():
    scenario = get_preset("seed-3-step").scenario
    config = scenario.config
    assert (config.input_size, config.hidden_size, config.output_size, scenario.T) == (1, 1, 1, 3)
    assert (config.mode, config.output, config.output_bias) == ("many_to_one", "sigmoid_bce", False)
    assert config.learning_rate == 0.001
    numbers = np.concatenate([v.ravel() for v in scenario.params.trained().values()])
    numbers = np.concatenate([numbers, scenario.inputs.ravel()])
    np.testing.assert_array_equal(numbers, np.round(numbers, 2))


def test_exploding_preset_overflows_and_says_where():
    run, losses, _ = train(start(get_preset("exploding").scenario), 2)
    assert np.isfinite(losses[0]) and not np.isfinite(losses[1])
    assert run.loss_history[1] == losses[1]


def test_unknown_preset_is_none():
    assert get_preset("no-such-preset") is None


def _reach_to_t1(preset_id: str, param: str) -> float:
    """The size of the term by which the loss at T reaches `param`'s use at t = 1."""
    run = bptt(get_preset(preset_id).scenario)
    return float(term_sizes(run, param)[run.T - 1, 0])


def test_the_lstm_and_gru_presets_keep_the_t1_signal_the_elman_network_loses():
    elman = _reach_to_t1("vanishing", "W_x")
    lstm, gru = _reach_to_t1("lstm-remembers", "W_xc"), _reach_to_t1("gru-update-gate", "W_xh")
    assert elman < 1e-6
    assert lstm > 1e4 * elman and gru > 1e4 * elman
    assert get_preset("lstm-remembers").scenario.config.cell == "lstm"
    assert get_preset("gru-update-gate").scenario.config.cell == "gru"
    # the forget gate holds: c_20 still carries what x_1 wrote
    assert bptt(get_preset("lstm-remembers").scenario).forward[-1].cache.state[1][0] > 1.0


def _terms_of_the_last_loss(preset_id: str, param: str):
    run = bptt(get_preset(preset_id).scenario)
    T = run.T
    terms = [term_detail(run, param, T, t) for t in range(1, T + 1)]
    return run, terms


def test_vanishing_terms_shrink_because_of_the_jacobian_product():
    _run, terms = _terms_of_the_last_loss("vanishing", "W_h")
    directs = [np.linalg.norm(term.factors[-1].value) for term in terms]
    sizes = [np.linalg.norm(term.value) for term in terms]
    assert min(directs) > 0.05 * max(directs)  # h_0 != 0, an input at every step
    assert sizes[0] > 0 and sizes[0] < 1e-5 * sizes[-1]
    jacobians = [np.linalg.norm(term.factors[-2].value, 2) for term in terms[:-1]]
    assert max(jacobians) < 0.6  # each dh_j/dh_{j-1} shrinks what passes through it
    _, losses, _ = train(start(get_preset("vanishing").scenario), 5)
    assert all(a > b for a, b in itertools.pairwise(losses)) and losses[-1] > 0.2


def test_exploding_terms_grow_because_of_the_jacobian_product():
    run, terms = _terms_of_the_last_loss("exploding", "W_h")
    states = np.array([record.cache.state[0] for record in run.forward])
    np.testing.assert_allclose(states, np.tile(states[0], (run.T, 1)), atol=1e-3)  # a fixed point
    directs = [np.linalg.norm(term.factors[-1].value) for term in terms]
    np.testing.assert_allclose(directs, directs[0], rtol=1e-3)
    sizes = [np.linalg.norm(term.value) for term in terms]
    assert sizes[0] > 1e10 * sizes[-1]
    _, losses, _ = train(start(get_preset("exploding").scenario), 3)
    assert not np.all(np.isfinite(losses))
    assert "clip_norm" in get_preset("exploding").description
