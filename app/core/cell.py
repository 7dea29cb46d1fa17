"""One time step of the Elman RNN, forward and backward (cs231n style).

Shapes: x_t (d,), h_prev (H,), a_t (H,), h_t (H,), z_t (K,), W_x (H, d), W_h (H, H),
b (H,), W_y (K, H), b_y (K,) or None.
"""

from __future__ import annotations

import numpy as np

from app.core.functions import activate, activation_grad


def rnn_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, W_x: np.ndarray, W_h: np.ndarray, b: np.ndarray, f: str
) -> tuple[np.ndarray, np.ndarray]:
    """a_t = W_x x_t + W_h h_prev + b, h_t = f(a_t). Returns (a_t, h_t)."""
    a_t = W_x @ x_t + W_h @ h_prev + b
    return a_t, activate(f, a_t)


def output_step_forward(h_t: np.ndarray, W_y: np.ndarray, b_y: np.ndarray | None) -> np.ndarray:
    """z_t = W_y h_t + b_y (the logits, K,)."""
    z_t = W_y @ h_t
    return z_t if b_y is None else z_t + b_y


def rnn_step_backward(dh_t: np.ndarray, a_t: np.ndarray, h_t: np.ndarray, f: str) -> np.ndarray:
    """Backprop through f: delta_t = dL/da_t = dL/dh_t * f'(a_t), all (H,)."""
    return dh_t * activation_grad(f, a_t, h_t)


def param_grads_at(
    delta_t: np.ndarray, x_t: np.ndarray, h_prev: np.ndarray
) -> dict[str, np.ndarray]:
    """The use of W_x, W_h and b at step t: dW_x = delta x^T, dW_h = delta h_prev^T, db = delta."""
    return {"W_x": np.outer(delta_t, x_t), "W_h": np.outer(delta_t, h_prev), "b": delta_t}


def output_grads_at(dz_t: np.ndarray, h_t: np.ndarray) -> dict[str, np.ndarray]:
    """The use of W_y and b_y at step t: dW_y = dz h^T, db_y = dz."""
    return {"W_y": np.outer(dz_t, h_t), "b_y": dz_t}
