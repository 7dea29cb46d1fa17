"""Every preset is a complete scenario a teacher can open."""

import numpy as np

from app.core.epochs import bptt, train
from app.core.presets import get_preset, list_presets
from app.core.stepper import start
from app.core.trace import term_sizes


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
