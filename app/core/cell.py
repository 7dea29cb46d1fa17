"""The output layer, shared by every cell (cs231n style); the cells are in app/core/cells.

Shapes: h_t (H,), z_t (K,), W_y (K, H), b_y (K,) or None.
"""

from __future__ import annotations

import numpy as np


def output_step_forward(h_t: np.ndarray, W_y: np.ndarray, b_y: np.ndarray | None) -> np.ndarray:
    """z_t = W_y h_t + b_y (the logits, K,)."""
    z_t = W_y @ h_t
    return z_t if b_y is None else z_t + b_y


def output_grads_at(dz_t: np.ndarray, h_t: np.ndarray) -> dict[str, np.ndarray]:
    """The use of W_y and b_y at step t: dW_y = dz h^T, db_y = dz."""
    return {"W_y": np.outer(dz_t, h_t), "b_y": dz_t}
