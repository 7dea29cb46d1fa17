"""Activations and loss heads: values, derivatives, stability at saturated logits."""

import numpy as np
import pytest

from app.core.functions import (
    activate,
    activation_grad,
    loss,
    loss_grad,
    loss_grad_rows,
    predict,
    total_loss_rows,
)


def test_bce_from_a_saturated_logit_is_finite_and_exact():
    assert loss("sigmoid_bce", np.array([1000.0]), np.array([0.0])) == 1000.0
    assert loss("sigmoid_bce", np.array([-1000.0]), np.array([1.0])) == 1000.0
    assert loss("sigmoid_bce", np.array([1000.0]), np.array([1.0])) == 0.0


def test_softmax_cross_entropy_from_huge_logits_is_finite():
    z = np.array([1000.0, 0.0, -1000.0])
    assert loss("softmax_ce", z, np.array([0.0, 1.0, 0.0])) == pytest.approx(1000.0)
    np.testing.assert_allclose(predict("softmax_ce", z), [1.0, 0.0, 0.0])


def test_mse_is_half_the_squared_error():
    assert loss("identity_mse", np.array([3.0, 1.0]), np.array([1.0, 1.0])) == 2.0


@pytest.mark.parametrize("output", ["identity_mse", "sigmoid_bce", "softmax_ce"])
def test_loss_gradient_matches_central_differences(output):
    rng = np.random.default_rng(0)
    z = rng.normal(size=4)
    y = rng.uniform(0.1, 1, size=4)
    y = y / y.sum() if output == "softmax_ce" else y
    numeric = [(loss(output, z + e, y) - loss(output, z - e, y)) / 2e-6 for e in np.eye(4) * 1e-6]
    np.testing.assert_allclose(loss_grad(output, z, y), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "identity"])
def test_activation_derivative_matches_central_differences(name):
    a = np.array([-1.3, -0.2, 0.4, 2.0])
    numeric = (activate(name, a + 1e-6) - activate(name, a - 1e-6)) / 2e-6
    np.testing.assert_allclose(activation_grad(name, a, activate(name, a)), numeric, rtol=1e-8)


@pytest.mark.parametrize("output", ["identity_mse", "sigmoid_bce", "softmax_ce"])
def test_the_row_forms_of_the_losses_equal_the_sum_of_each_rows(output):
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(5, 3)) * 4
    Y = rng.uniform(0.05, 1, size=(5, 3))
    Y = Y / Y.sum(axis=1, keepdims=True) if output == "softmax_ce" else Y
    rows = [loss(output, z, y) for z, y in zip(Z, Y, strict=True)]
    assert total_loss_rows(output, Z, Y) == pytest.approx(sum(rows), rel=1e-13)
    grads = np.array([loss_grad(output, z, y) for z, y in zip(Z, Y, strict=True)])
    np.testing.assert_allclose(loss_grad_rows(output, Z, Y), grads, rtol=1e-13, atol=1e-15)
