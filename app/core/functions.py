"""Hidden activations f and output/loss heads g + loss, each with its local derivative.

Every loss is computed from the logits z, so saturated logits stay finite:
a sigmoid logit of 1000 with target 0 costs 1000, not inf.
"""

from __future__ import annotations

import numpy as np


def activate(name: str, a: np.ndarray) -> np.ndarray:
    """h = f(a)."""
    if name == "tanh":
        return np.tanh(a)
    if name == "sigmoid":
        return sigmoid(a)
    if name == "relu":
        return np.maximum(a, 0.0)
    return a.copy()


def activation_grad(name: str, a: np.ndarray, h: np.ndarray) -> np.ndarray:
    """f'(a), written with h = f(a) where that is the textbook form."""
    if name == "tanh":
        return 1.0 - h * h
    if name == "sigmoid":
        return h * (1.0 - h)
    if name == "relu":
        return (a > 0).astype(np.float64)
    return np.ones_like(a)


def activation_grad_latex(name: str, t: int) -> str:
    """f'(a_t) in the textbook form, for typesetting."""
    return {
        "tanh": rf"1 - h_{{{t}}}^2",
        "sigmoid": rf"h_{{{t}}}(1 - h_{{{t}}})",
        "relu": rf"\mathbb{{1}}[a_{{{t}}} > 0]",
        "identity": "1",
    }[name]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) without overflow for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


def log_softmax(z: np.ndarray) -> np.ndarray:
    return z - np.logaddexp.reduce(z)


def predict(output: str, z: np.ndarray) -> np.ndarray:
    """yhat = g(z)."""
    if output == "sigmoid_bce":
        return sigmoid(z)
    if output == "softmax_ce":
        return np.exp(log_softmax(z))
    return z.copy()


def loss(output: str, z: np.ndarray, y: np.ndarray) -> float:
    """l(yhat, y) from the logits z."""
    if output == "sigmoid_bce":
        # -y log s(z) - (1 - y) log(1 - s(z)) = max(z, 0) - z y + log(1 + e^-|z|)
        return float((np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))).sum())
    if output == "softmax_ce":
        return float(-(y * log_softmax(z)).sum())
    return float(0.5 * ((z - y) ** 2).sum())


def loss_grad(output: str, z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dl/dz: yhat - y for all three heads (softmax: yhat * sum(y) - y)."""
    yhat = predict(output, z)
    if output == "softmax_ce":
        return yhat * np.sum(y) - y
    return yhat - y


def total_loss_rows(output: str, Z: np.ndarray, Y: np.ndarray) -> float:
    """sum over rows k of l(z_k, y_k), for logits Z and targets Y (n, K) at once."""
    if output == "sigmoid_bce":
        return float((np.maximum(Z, 0.0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))).sum())
    if output == "softmax_ce":
        return float(-(Y * (Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))).sum())
    return float(0.5 * ((Z - Y) ** 2).sum())


def loss_grad_rows(output: str, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dl_k/dz_k for every row k at once (n, K): yhat - y (softmax: yhat * sum(y) - y)."""
    if output == "softmax_ce":
        yhat = np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))
        return yhat * np.sum(Y, axis=1, keepdims=True) - Y
    return (sigmoid(Z) if output == "sigmoid_bce" else Z) - Y


def loss_latex(output: str) -> str:
    return {
        "identity_mse": r"\tfrac12\lVert \hat y - y\rVert^2",
        "sigmoid_bce": r"-y\log\hat y - (1-y)\log(1-\hat y)",
        "softmax_ce": r"-\textstyle\sum_i y_i \log \hat y_i",
    }[output]
