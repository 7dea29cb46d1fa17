import pytest

from app.core.optimizers import make_optimizer
from tests.core.optimizers.updates import assert_follows, random_run, run_optimizer


def momentum_by_hand(theta: float, gs: list[float], lr: float, mu: float) -> list[dict]:
    """torch.optim.SGD(momentum=mu) on one element: v starts at 0, v <- mu v + g."""
    v, out = 0.0, []
    for g in gs:
        v = mu * v + g
        new = theta - lr * v
        out.append({"theta": new, "g": g, "v": v, "delta": new - theta})
        theta = new
    return out


@pytest.mark.parametrize("mu", [None, 0.5, 0.0, 0.999])
@pytest.mark.parametrize("seed", [0, 1])
def test_each_element_follows_v_gets_mu_v_plus_g_over_six_updates(mu, seed):
    spec = {"name": "momentum"} if mu is None else {"name": "momentum", "momentum": mu}
    optimizer = make_optimizer(spec)
    mu = 0.9 if mu is None else mu  # the default
    params, grads_seq = random_run(seed, updates=6)
    steps = run_optimizer(optimizer, params, grads_seq, learning_rate=0.05)
    assert_follows(
        steps,
        params,
        grads_seq,
        lambda theta, gs: momentum_by_hand(theta, gs, 0.05, mu),
        slots=("v",),
    )


def test_the_first_update_is_plain_gradient_descent():
    params, grads_seq = random_run(seed=2, updates=1)
    momentum = run_optimizer(make_optimizer({"name": "momentum"}), params, grads_seq, 0.1)
    sgd = run_optimizer(make_optimizer({"name": "sgd"}), params, grads_seq, 0.1)
    for name in params:
        assert (momentum[0].params[name] == sgd[0].params[name]).all()


def test_mu_zero_is_plain_gradient_descent_at_every_update():
    params, grads_seq = random_run(seed=3, updates=5)
    momentum = run_optimizer(
        make_optimizer({"name": "momentum", "momentum": 0}), params, grads_seq, 0.1
    )
    sgd = run_optimizer(make_optimizer({"name": "sgd"}), params, grads_seq, 0.1)
    for ours, plain in zip(momentum, sgd, strict=True):
        for name in params:
            assert (ours.params[name] == plain.params[name]).all()
