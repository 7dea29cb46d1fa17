"""The notes' worked example, computed by hand with the scalar formulas of the notes.

O_t = tanh(w_i x_t + w_h O_{t-1} + b),  O_0 = 0
yhat = sigmoid(w_o O_3),  L = -y log yhat - (1 - y) log(1 - yhat)
dL/dw = sum of the bracketed chain-rule terms t = 3, 2, 1
w_new = w_old - eta * dL/dw
"""

import math

import pytest

from app.core.presets import get_preset
from app.core.stepper import backward_step, forward_step, start, update
from app.core.trace import terms_at

w_i, w_h, b, w_o = 0.5, 0.8, 0.1, 1.2
x = [1.0, 0.5, -0.5]
y, eta = 1.0, 0.001


def hand_computation():
    O = [0.0]  # noqa: E741 (the notes name the hidden state O_t); O_0 = 0
    for x_t in x:
        O.append(math.tanh(w_i * x_t + w_h * O[-1] + b))
    y_hat = 1 / (1 + math.exp(-w_o * O[3]))
    L = -y * math.log(y_hat) - (1 - y) * math.log(1 - y_hat)
    dL_dyhat = -y / y_hat + (1 - y) / (1 - y_hat)
    dyhat_dO3 = y_hat * (1 - y_hat) * w_o
    tanh_grad = {t: 1 - O[t] ** 2 for t in (1, 2, 3)}  # tanh' at step t
    dO3_dO2, dO2_dO1 = tanh_grad[3] * w_h, tanh_grad[2] * w_h
    head = dL_dyhat * dyhat_dO3
    reach = {3: head, 2: head * dO3_dO2, 1: head * dO3_dO2 * dO2_dO1}  # dL/dO_t
    terms = {
        "W_x": {t: reach[t] * tanh_grad[t] * x[t - 1] for t in (3, 2, 1)},
        "W_h": {t: reach[t] * tanh_grad[t] * O[t - 1] for t in (3, 2, 1)},
        "b": {t: reach[t] * tanh_grad[t] for t in (3, 2, 1)},
    }
    grads = {name: sum(by_t.values()) for name, by_t in terms.items()}
    grads["W_y"] = dL_dyhat * y_hat * (1 - y_hat) * O[3]
    return L, terms, grads


def run_seed_example():
    run = start(get_preset("seed-3-step").scenario)
    backward = []
    for _ in range(3):
        run, _ = forward_step(run)
    for _ in range(3):
        run, record = backward_step(run)
        backward.append(terms_at(run, record.t))
    loss = run.loss
    run, update_record = update(run)
    return loss, backward, update_record


def test_loss_matches_the_hand_computation():
    L, _, _ = hand_computation()
    loss, _, _ = run_seed_example()
    assert loss == pytest.approx(L, rel=1e-12)


def test_every_bracketed_term_matches_the_hand_computation():
    _, hand_terms, _ = hand_computation()
    _, backward, _ = run_seed_example()
    for terms in backward:
        for term in terms:
            if term.param == "W_y":
                continue
            assert term.k == 3
            assert float(term.value.item()) == pytest.approx(
                hand_terms[term.param][term.t], rel=1e-12
            )
    w_h_at_1 = next(t for t in backward[2] if t.param == "W_h")
    assert w_h_at_1.value.item() == 0.0  # O_0 = 0: the first use of w_h contributes nothing


def test_the_t2_term_of_dL_dwh_has_the_notes_four_factors_in_order():
    _, backward, _ = run_seed_example()
    term = next(t for t in backward[1] if t.param == "W_h")
    assert [f.symbol for f in term.factors] == ["∂ℓ_3/∂z_3", "∂z_3/∂h_3", "∂h_3/∂h_2", "∂⁺h_2/∂W_h"]
    assert all(f.shape == (1, 1) or f.shape == (1,) for f in term.factors)
    product = math.prod(f.value.item() for f in term.factors)
    assert term.value.item() == pytest.approx(product, rel=1e-15)


def test_gradients_and_updated_weights_match_the_hand_computation():
    _, _, grads = hand_computation()
    _, _, update_record = run_seed_example()
    old = {"W_x": w_i, "W_h": w_h, "b": b, "W_y": w_o}
    assert set(update_record.params_new) == set(old)  # no output bias
    for name, grad in grads.items():
        assert update_record.grads[name].item() == pytest.approx(grad, rel=1e-12)
        assert update_record.params_new[name].item() == pytest.approx(
            old[name] - eta * grad, rel=1e-12
        )


def test_the_loss_factor_splits_as_the_notes_write_it():
    _, backward, _ = run_seed_example()
    loss_factor = backward[0][0].factors[0]
    dL_dyhat, dyhat_dz = (part.value.item() for part in loss_factor.parts)
    y_hat = 1 / (1 + math.exp(-w_o * math.tanh(0.5 * -0.5 + 0.8 * 0.6524998278634716 + 0.1)))
    assert dL_dyhat == pytest.approx(-1 / y_hat, rel=1e-12)  # y = 1: dL/dyhat = -1/yhat
    assert dyhat_dz == pytest.approx(y_hat * (1 - y_hat), rel=1e-12)
    assert dL_dyhat * dyhat_dz == pytest.approx(loss_factor.value.item(), rel=1e-15)
