import math

import pytest

from app.core.errors import ScenarioError
from app.core.optimizers import make_optimizer
from tests.core.optimizers.updates import assert_follows, random_run, run_optimizer


def rmsprop_by_hand(theta: float, gs: list[float], lr: float, rho: float, eps: float) -> list[dict]:
    """torch.optim.RMSprop(alpha=rho) on one element: s starts at 0, eps outside the root."""
    s, out = 0.0, []
    for g in gs:
        s = rho * s + (1 - rho) * g * g
        new = theta - lr * g / (math.sqrt(s) + eps)
        out.append({"theta": new, "g": g, "s": s, "delta": new - theta})
        theta = new
    return out


@pytest.mark.parametrize("hyper", [{}, {"rho": 0.9}, {"rho": 0.0, "eps": 1e-3}, {"eps": 1e-12}])
@pytest.mark.parametrize("seed", [0, 1])
def test_each_element_follows_g_over_root_of_the_running_mean_square_over_six_updates(hyper, seed):
    optimizer = make_optimizer({"name": "rmsprop", **hyper})
    rho, eps = hyper.get("rho", 0.99), hyper.get("eps", 1e-8)  # the defaults
    params, grads_seq = random_run(seed, updates=6)
    steps = run_optimizer(optimizer, params, grads_seq, learning_rate=0.01)
    assert_follows(
        steps,
        params,
        grads_seq,
        lambda theta, gs: rmsprop_by_hand(theta, gs, 0.01, rho, eps),
        slots=("s",),
    )


def test_torchs_name_alpha_is_refused_naming_the_field():
    with pytest.raises(ScenarioError) as refused:
        make_optimizer({"name": "rmsprop", "alpha": 0.9})
    assert refused.value.field == "optimizer.alpha"
