"""Scenarios refuse bad input with the field and the rule."""

import numpy as np
import pytest

from app.core.model import Config, Params, Scenario, ScenarioError, init_params


def _config(**changes):
    return Config(**{"input_size": 1, "hidden_size": 2, "output_size": 1, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"hidden_size": 0}, "hidden_size", "integer >= 1"),
        ({"activation": "softplus"}, "activation", "one of tanh, sigmoid, relu, identity"),
        ({"output": "hinge"}, "output", "one of"),
        ({"learning_rate": 0.0}, "learning_rate", "> 0"),
        ({"truncation": 0}, "truncation", "integer >= 1"),
        ({"clip_norm": -1.0}, "clip_norm", "> 0"),
    ],
)
def test_config_names_the_field_and_the_rule(changes, field, rule):
    with pytest.raises(ScenarioError) as error:
        _config(**changes)
    assert error.value.field == field
    assert rule in error.value.rule


def test_params_must_have_the_configs_shapes():
    with pytest.raises(ScenarioError, match=r"params.W_h: must have shape \(2, 2\), not \(2,\)"):
        Params.from_dict(
            _config(), {"W_x": [[1], [1]], "W_h": [1, 1], "b": [0, 0], "W_y": [[1, 1]], "b_y": [0]}
        )


def test_b_y_is_refused_without_an_output_bias():
    values = {"W_x": [[1], [1]], "W_h": [[1, 0], [0, 1]], "b": [0, 0], "W_y": [[1, 1]], "b_y": [0]}
    with pytest.raises(ScenarioError) as error:
        Params.from_dict(_config(output_bias=False), values)
    assert error.value.field == "params.b_y"


@pytest.mark.parametrize(
    ("changes", "inputs", "targets", "field", "rule"),
    [
        ({}, [], [[1.0]], "inputs", "T >= 1"),
        ({}, [[1.0], [2.0]], [[1.0]], "targets", "shape (2, 1)"),
        ({}, [[float("nan")]], [[1.0]], "inputs", "finite"),
        ({"output": "sigmoid_bce"}, [[1.0]], [[1.5]], "targets", "[0, 1]"),
        (
            {"output": "softmax_ce", "output_size": 2},
            [[1.0]],
            [[0.5, 0.6]],
            "targets",
            "summing to 1",
        ),
    ],
)
def test_scenario_names_the_field_and_the_rule(changes, inputs, targets, field, rule):
    config = _config(**changes)
    with pytest.raises(ScenarioError) as error:
        Scenario(config, init_params(config, 0), np.array(inputs), np.array(targets))
    assert error.value.field == field
    assert rule in error.value.rule


def test_seeded_initialisation_is_reproducible_and_read_only():
    first, second = init_params(_config(), 5), init_params(_config(), 5)
    np.testing.assert_array_equal(first.W_h, second.W_h)
    assert not first.W_h.flags.writeable
    assert np.all(np.abs(first.W_h) <= 1 / np.sqrt(2))


def test_gated_cells_take_tanh_or_no_activation_and_unknown_cells_are_refused():
    assert Config(1, 2, 1, cell="gru").activation == "tanh"
    assert Config(1, 2, 1, cell="lstm", activation="tanh").cell_params[0] == "W_xi"
    with pytest.raises(ScenarioError, match="activation: must be tanh or left out for the gru"):
        Config(1, 2, 1, cell="gru", activation="relu")
    with pytest.raises(ScenarioError, match="cell: must be one of elman, gru, lstm"):
        Config(1, 2, 1, cell="rnn")


def test_lstm_params_have_both_initial_states_given_or_zeros():
    config = Config(1, 2, 1, cell="lstm")
    params = init_params(config, 0)
    assert [name for name in params.as_dict() if name.endswith("0")] == ["h0", "c0"]
    np.testing.assert_array_equal(params.c0, np.zeros(2))
    assert "c0" not in params.trained() and "W_hf" in params.trained()
    with pytest.raises(ScenarioError, match=r"params\.W_h: is not a parameter"):
        Params.from_dict(config, {**params.trained(), "W_h": [[0.0, 0.0], [0.0, 0.0]]})
