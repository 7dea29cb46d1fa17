import math

import numpy as np
import pytest

from app.core.optimizers import make_optimizer
from tests.core.optimizers.updates import assert_follows, quantity, random_run, run_optimizer


def adagrad_by_hand(theta: float, gs: list[float], lr: float, eps: float) -> list[dict]:
    """torch.optim.Adagrad on one element: G sums g^2; eps outside the square root."""
    G, out = 0.0, []
    for g in gs:
        G = G + g * g
        new = theta - lr * g / (math.sqrt(G) + eps)
        out.append({"theta": new, "g": g, "G": G, "delta": new - theta})
        theta = new
    return out


@pytest.mark.parametrize("eps", [None, 1e-6, 0.5])
@pytest.mark.parametrize("seed", [0, 1])
def test_each_element_follows_g_over_root_of_summed_squares_over_six_updates(eps, seed):
    spec = {"name": "adagrad"} if eps is None else {"name": "adagrad", "eps": eps}
    optimizer = make_optimizer(spec)
    eps = 1e-10 if eps is None else eps  # the default
    params, grads_seq = random_run(seed, updates=6)
    steps = run_optimizer(optimizer, params, grads_seq, learning_rate=0.05)
    assert_follows(
        steps,
        params,
        grads_seq,
        lambda theta, gs: adagrad_by_hand(theta, gs, 0.05, eps),
        slots=("G",),
    )


def test_a_zero_first_gradient_moves_nothing_and_stays_finite():
    params, grads_seq = random_run(seed=4, updates=2)
    steps = run_optimizer(make_optimizer({"name": "adagrad"}), params, grads_seq, 0.1)
    # random_run zeroes W_h[0, 0]'s gradient at every update, so G stays 0 there
    assert quantity(steps[1], "G")["W_h"][0, 0] == 0.0
    assert steps[1].params["W_h"][0, 0] == params["W_h"][0, 0]
    assert all(np.isfinite(value).all() for value in steps[1].params.values())


def test_the_first_step_is_eta_times_the_sign_of_g_up_to_eps():
    params, grads_seq = random_run(seed=5, updates=1)
    step = run_optimizer(make_optimizer({"name": "adagrad"}), params, grads_seq, 0.1)[0]
    g = grads_seq[0]["W_x"]
    np.testing.assert_allclose(quantity(step, "delta")["W_x"], -0.1 * np.sign(g), rtol=1e-6)
