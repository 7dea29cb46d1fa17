"""Ready-made scenarios, each with a title and a paragraph for the teacher."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.model import Config, Params, Scenario, init_params


@dataclass(frozen=True, eq=False)
class Preset:
    id: str
    title: str
    description: str
    scenario: Scenario
    seed: int = 0


def seed_3_step() -> Preset:
    config = Config(
        input_size=1,
        hidden_size=1,
        output_size=1,
        activation="tanh",
        output="sigmoid_bce",
        mode="many_to_one",
        output_bias=False,
        learning_rate=0.001,
    )
    params = Params.from_dict(config, {"W_x": [[0.5]], "W_h": [[0.8]], "b": [0.1], "W_y": [[1.2]]})
    return Preset(
        "seed-3-step",
        "The worked example: three steps, one number each",
        "The notes' example with every quantity a single number: O_t = tanh(w_i x_t + "
        "w_h O_{t-1} + b), y-hat = sigmoid(w_o O_3) (here h_t, W_x, W_h and W_y), binary "
        "cross-entropy against y = 1 "
        "and learning rate 0.001. Step forward three times, then backward three times: "
        "dL/dw_h arrives as three bracketed terms, t = 3, 2 and 1, each a product you can "
        "multiply by hand. O_0 = 0, so the t = 1 term of dL/dw_h is exactly zero.",
        Scenario(config, params, np.array([[1.0], [0.5], [-0.5]]), np.array([1.0])),
    )


def sine_next_value() -> Preset:
    config = Config(1, 4, 1, "tanh", "identity_mse", "many_to_many", True, 0.05)
    wave = np.round(np.sin(2 * np.pi * np.arange(13) / 12), 4)  # readable: 0.866, not 0.8660254
    return Preset(
        "sine-next-value",
        "Predict the next value of a sine wave",
        "Many-to-many regression: at every step the network sees one sample of a sine "
        "wave and predicts the next one, with squared error summed over the 12 steps. "
        "Every step has its own loss, so each backward step completes terms from several "
        "losses at once. Train a few epochs and watch the loss fall.",
        Scenario(config, init_params(config, 7), wave[:-1, None], wave[1:, None]),
        seed=7,
    )


def saw_a_one() -> Preset:
    config = Config(1, 3, 1, "tanh", "sigmoid_bce", "many_to_one", True, 0.5)
    return Preset(
        "saw-a-one",
        "Did a 1 appear? (sequence classification)",
        "Many-to-one classification: six bits go in, and only at the end does the network "
        "answer whether a 1 appeared anywhere. The single loss at t = 6 must reach back "
        "to t = 3, where the 1 was, through three recurrent Jacobians: the terms show how "
        "much of the gradient survives the trip.",
        Scenario(
            config,
            init_params(config, 3),
            np.array([[0.0], [0.0], [1.0], [0.0], [0.0], [0.0]]),
            np.array([1.0]),
        ),
        seed=3,
    )


def hello() -> Preset:
    vocabulary = "helo"
    one_hot = np.eye(len(vocabulary))
    config = Config(4, 6, 4, "tanh", "softmax_ce", "many_to_many", True, 0.1)
    return Preset(
        "hello",
        'A character model on "hello"',
        "Karpathy's classic: the characters h, e, l, o as one-hot vectors; reading "
        '"hell" the network predicts "ello", one character ahead, with softmax and '
        "cross-entropy at every step. The two l's need the memory in h: after the first "
        "l comes another l, after the second an o.",
        Scenario(
            config,
            init_params(config, 11),
            np.array([one_hot[vocabulary.index(c)] for c in "hell"]),
            np.array([one_hot[vocabulary.index(c)] for c in "ello"]),
        ),
        seed=11,
    )


def vanishing() -> Preset:
    """Every step has an input and h_0 is not zero, so every term's direct partial is of the
    same size: the terms that reach far back are small because of the Jacobian product."""
    config = Config(1, 2, 1, "tanh", "identity_mse", "many_to_one", False, 0.02)
    params = Params.from_dict(
        config,
        {
            "W_x": [[1.0], [0.5]],
            "W_h": [[0.4, 0.1], [0.1, 0.3]],
            "b": [0.0, 0.0],
            "W_y": [[1.0, 1.0]],
            "h0": [0.5, -0.5],
        },
    )
    inputs = np.array([[1.0]] + [[0.5 if t % 2 == 0 else -0.5] for t in range(1, 20)])
    return Preset(
        "vanishing",
        "Vanishing gradients over 20 steps",
        "An input at every step (1, then -0.5, 0.5, ...), h_0 = (0.5, -0.5) and one loss, at "
        "t = 20. Every term's last factor, the direct partial, is of the same size at every "
        "t; what shrinks is the product of the Jacobians dh_j/dh_{j-1} between. The recurrent "
        "weights are small (W_h's spectral radius is 0.46) and tanh's slope below 1 shrinks "
        "each Jacobian further, so the regime gauge measures the product falling by a factor "
        "of 0.42 per step: the term that reaches t = 1 is about 10^-7 of the term at t = 20. "
        "Train a few epochs: the loss falls, through the last "
        "steps' weights, while the first steps hardly feel the loss at all.",
        Scenario(config, params, inputs, np.array([1.0])),
    )


def exploding() -> Preset:
    """h_0 is the linear cell's fixed point for the constant input, so every h_t (and every
    direct partial) stays the same: the terms grow with distance through the Jacobians alone."""
    config = Config(1, 2, 1, "identity", "identity_mse", "many_to_one", True, 0.01)
    params = Params.from_dict(
        config,
        {
            "W_x": [[1.0], [1.0]],
            "W_h": [[2.5, 0.0], [0.0, 2.0]],
            "b": [0.0, 0.0],
            "W_y": [[1.0, 1.0]],
            "b_y": [0.0],
            "h0": [-2.0 / 3.0, -1.0],
        },
    )
    return Preset(
        "exploding",
        "Exploding gradients",
        "A linear RNN whose recurrent weights are larger than 1 (eigenvalues 2.5 and 2), "
        "started at its fixed point: h_0 = (-2/3, -1), so with x_t = 1 every h_t is the same "
        "and every term's direct partial too. What grows is the product of the Jacobians: "
        "the one loss, at t = 30, sends back terms that grow like 2.5^(30 - t), the term "
        "reaching t = 1 about 10^11 times the one at t = 30. The first update is enormous "
        "and the loss after it overflows; the explorer says where. The way out is gradient "
        "clipping: Start over, set clip_norm (say 1) in the scenario editor and try again.",
        Scenario(config, params, np.ones((30, 1)), np.zeros(1)),
    )


def _one_signal_then_silence(T: int = 20) -> np.ndarray:
    inputs = np.zeros((T, 1))
    inputs[0, 0] = 1.0
    return inputs


def lstm_remembers() -> Preset:
    config = Config(1, 2, 1, "tanh", "identity_mse", "many_to_one", False, 0.1, cell="lstm")
    still = [[0.0, 0.0], [0.0, 0.0]]
    params = Params.from_dict(
        config,
        {
            **{f"W_x{g}": [[0.0], [0.0]] for g in "fo"},
            **{f"W_h{g}": still for g in "ifo"},
            **{f"b_{g}": [0.0, 0.0] for g in "ioc"},
            "W_xi": [[1.0], [0.5]],
            "W_xc": [[1.0], [0.5]],
            "W_hc": [[0.4, 0.1], [0.1, 0.3]],
            "b_f": [3.0, 3.0],
            "W_y": [[1.0, 1.0]],
        },
    )
    return Preset(
        "lstm-remembers",
        "An LSTM keeps the signal the Elman network loses",
        'The task of "Vanishing gradients": the only input comes at t = 1, the only loss at '
        "t = 20. Here the cell is an LSTM whose forget gate has bias b_f = 3, so f_t = 0.95 at "
        "every step: the cell state c_t keeps what x_1 wrote into it (c_20 is still 1.28), and "
        "the Jacobian's c block is diag(f_t), so the term of W_xc that reaches back to t = 1 "
        "is about 0.05, where the Elman network's term of W_x is 3e-7. Compare the two "
        "heatmaps of term sizes, and watch which parameters training moves.",
        Scenario(config, params, _one_signal_then_silence(), np.array([1.0])),
    )


def gru_update_gate() -> Preset:
    config = Config(1, 2, 1, "tanh", "identity_mse", "many_to_one", False, 0.1, cell="gru")
    still = [[0.0, 0.0], [0.0, 0.0]]
    params = Params.from_dict(
        config,
        {
            "W_xz": [[-4.0], [-4.0]],
            "W_hz": still,
            "b_z": [3.0, 3.0],
            "W_xr": [[0.0], [0.0]],
            "W_hr": still,
            "b_r": [0.0, 0.0],
            "W_xh": [[1.0], [0.5]],
            "W_hh": [[0.4, 0.1], [0.1, 0.3]],
            "b_h": [0.0, 0.0],
            "W_y": [[1.0, 1.0]],
        },
    )
    return Preset(
        "gru-update-gate",
        "A GRU's update gate opens once, then holds",
        "Again one input at t = 1 and one loss at t = 20. The update gate z_t has bias 3, so "
        "z_t = 0.95 and h_t = z_t h_{t-1} + (1 - z_t) n_t mostly copies h_{t-1}; only at t = 1 "
        "does x_1 = 1 pull z_1 down to 0.27 (W_xz = -4), letting the candidate n_1 write into "
        "h. The Jacobian dh_t/dh_{t-1} is then close to diag(z_t), and the term of W_xh that "
        "reaches t = 1 is about 0.18: the gradient survives nineteen steps.",
        Scenario(config, params, _one_signal_then_silence(), np.array([1.0])),
    )


PRESETS = (seed_3_step, sine_next_value, saw_a_one, hello, vanishing, exploding)
PRESETS += (lstm_remembers, gru_update_gate)


def list_presets() -> tuple[Preset, ...]:
    return tuple(make() for make in PRESETS)


def get_preset(preset_id: str) -> Preset | None:
    return next((preset for preset in list_presets() if preset.id == preset_id), None)
