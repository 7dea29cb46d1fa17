import math

import numpy as np
import pytest

from app.core.optimizers import OptimizerState, make_optimizer
from tests.core.optimizers.updates import (
    SHAPES,
    assert_follows,
    quantity,
    random_run,
    run_optimizer,
)


def adam_by_hand(
    theta: float, gs: list[float], lr: float, beta1: float, beta2: float, eps: float
) -> list[dict]:
    """torch.optim.Adam on one element, with the bias correction at update n = 1, 2, ..."""
    m = v = 0.0
    out = []
    for n, g in enumerate(gs, 1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**n)
        v_hat = v / (1 - beta2**n)
        new = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(
            {
                "theta": new,
                "g": g,
                "m": m,
                "v": v,
                "m_hat": m_hat,
                "v_hat": v_hat,
                "delta": new - theta,
            }
        )
        theta = new
    return out


@pytest.mark.parametrize(
    "hyper",
    [{}, {"beta1": 0.5, "beta2": 0.9}, {"beta1": 0.0, "beta2": 0.0, "eps": 1e-3}, {"eps": 1.0}],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_each_element_follows_bias_corrected_moments_over_six_updates(hyper, seed):
    optimizer = make_optimizer({"name": "adam", **hyper})
    beta1, beta2 = hyper.get("beta1", 0.9), hyper.get("beta2", 0.999)  # the defaults
    eps = hyper.get("eps", 1e-8)
    params, grads_seq = random_run(seed, updates=6)
    steps = run_optimizer(optimizer, params, grads_seq, learning_rate=0.01)
    assert_follows(
        steps,
        params,
        grads_seq,
        lambda theta, gs: adam_by_hand(theta, gs, 0.01, beta1, beta2, eps),
        slots=("m", "v"),
    )


def test_at_update_one_the_bias_correction_gives_back_g_and_g_squared():
    params, grads_seq = random_run(seed=6, updates=1)
    step = run_optimizer(make_optimizer({"name": "adam"}), params, grads_seq, 0.01)[0]
    for name in SHAPES:
        g = grads_seq[0][name]
        # m = (1 - beta1) g is a tenth of g; m_hat undoes that
        np.testing.assert_allclose(quantity(step, "m")[name], 0.1 * g, rtol=1e-15)
        np.testing.assert_allclose(quantity(step, "m_hat")[name], g, rtol=1e-14)
        np.testing.assert_allclose(quantity(step, "v_hat")[name], g * g, rtol=1e-12)
    # so the first step is eta in the direction of -g, whatever g's size (unless g is ~eps)
    g = grads_seq[0]["W_x"]
    np.testing.assert_allclose(quantity(step, "delta")["W_x"], -0.01 * np.sign(g), rtol=1e-5)


def test_the_bias_correction_counts_from_the_state_it_is_given():
    optimizer = make_optimizer({"name": "adam"})
    params = {"b": np.array([0.5, -1.0])}
    m, v = np.array([0.2, -0.1]), np.array([0.04, 0.09])
    state = OptimizerState(n=4, slots={"m": {"b": m}, "v": {"b": v}})
    g = np.array([1.0, 2.0])
    step = optimizer.step(params, {"b": g}, state, 0.1)
    m5, v5 = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
    np.testing.assert_allclose(quantity(step, "m_hat")["b"], m5 / (1 - 0.9**5), rtol=1e-14)
    np.testing.assert_allclose(quantity(step, "v_hat")["b"], v5 / (1 - 0.999**5), rtol=1e-14)
    assert step.state.n == 5
