"""Hoisted NumPy BPTT, one epoch per cell: what the core is measured against.

Each epoch is forward + backward + SGD update for an identity output with squared
loss L = sum over loss steps of 1/2 ||z_t - y_t||^2, tanh hidden non-linearities, and an
output bias. "Hoisted" means everything that does not depend on the recursion is done
once for all t: the input projection W_x x_t + b for every t is one matrix product
before the loop, and every gradient sum (sum_t delta_t x_t^T, ...) is one matrix
product after it. Only the recursion runs step by step.

Shapes (d inputs, H hidden, K outputs, T steps):

    X (T, d)   Y (T, K) for many-to-many, (K,) for many-to-one
    W_x* (H, d)   W_h* (H, H)   b* (H,)   W_y (K, H)   b_y (K,)   h0, c0 (H,)
    Hs (T + 1, H): h_0 .. h_T      dH_out (T, H): dl/dh_t through the output layer only

The equations are issue 7's (GRU as in d2l.ai):

    elman  h_t = tanh(W_x x_t + W_h h_{t-1} + b)
    gru    z_t = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z), r_t likewise with W_xr, W_hr, b_r,
           n_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) + b_h),
           h_t = z_t * h_{t-1} + (1 - z_t) * n_t
    lstm   i_t, f_t, o_t = sigmoid(W_x* x_t + W_h* h_{t-1} + b_*),
           g_t = tanh(W_xc x_t + W_hc h_{t-1} + b_c),
           c_t = f_t * c_{t-1} + i_t * g_t,   h_t = o_t * tanh(c_t)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

Arrays = Mapping[str, np.ndarray]
GRU_GATES = ("z", "r", "h")  # W_xh, W_hh, b_h make the candidate n_t
LSTM_GATES = ("i", "f", "o", "c")  # W_xc, W_hc, b_c make the candidate g_t
Grads = tuple[float, dict[str, np.ndarray]]


@dataclass(frozen=True, eq=False)
class Epoch:
    """One epoch's loss (before the update), gradients, and the parameters after SGD."""

    loss: float
    grads: dict[str, np.ndarray]
    params: dict[str, np.ndarray]


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def input_projection(p: Arrays, X: np.ndarray, gate: str) -> np.ndarray:
    """W_x* x_t + b_* for every t at once: (T, H)."""
    return X @ p[f"W_x{gate}"].T + p[f"b_{gate}"]


def weight_grads(
    p: Arrays, gate: str, dA: np.ndarray, X: np.ndarray, H_in: np.ndarray
) -> dict[str, np.ndarray]:
    """The gradient sums of one gate as matrix products: dA (T, H) against X and H_in (T, H)."""
    return {f"W_x{gate}": dA.T @ X, f"W_h{gate}": dA.T @ H_in, f"b_{gate}": dA.sum(axis=0)}


def output_layer(
    p: Arrays, Hs: np.ndarray, Y: np.ndarray, many_to_many: bool
) -> tuple[float, np.ndarray, dict[str, np.ndarray]]:
    """Loss, dH_out (T, H) and the output layer's gradients, from the hidden states Hs."""
    W_y, b_y = p["W_y"], p["b_y"]
    dH_out = np.zeros((Hs.shape[0] - 1, Hs.shape[1]))
    if many_to_many:
        dZ = Hs[1:] @ W_y.T + b_y - Y  # dl_t/dz_t = z_t - y_t for every t at once (T, K)
        dH_out[:] = dZ @ W_y
        grads = {"W_y": dZ.T @ Hs[1:], "b_y": dZ.sum(axis=0)}
    else:
        dZ = W_y @ Hs[-1] + b_y - Y  # only the last step has a loss (K,)
        dH_out[-1] = W_y.T @ dZ
        grads = {"W_y": np.outer(dZ, Hs[-1]), "b_y": dZ}
    return 0.5 * float(np.sum(dZ * dZ)), dH_out, grads


def elman_grads(p: Arrays, X: np.ndarray, Y: np.ndarray, many_to_many: bool) -> Grads:
    """Loss and gradients of the Elman RNN."""
    T, H = X.shape[0], p["W_h"].shape[0]
    W_h = p["W_h"]
    A_in = X @ p["W_x"].T + p["b"]  # input projection for all t (T, H)
    Hs = np.empty((T + 1, H))
    Hs[0] = p["h0"]
    for t in range(T):
        Hs[t + 1] = np.tanh(A_in[t] + W_h @ Hs[t])
    loss, dH_out, grads = output_layer(p, Hs, Y, many_to_many)
    Delta = np.empty((T, H))
    dh_next = np.zeros(H)  # W_h^T delta_{t+1}
    for t in range(T - 1, -1, -1):
        Delta[t] = (dH_out[t] + dh_next) * (1.0 - Hs[t + 1] ** 2)  # backprop through tanh
        dh_next = W_h.T @ Delta[t]
    grads |= {"W_x": Delta.T @ X, "W_h": Delta.T @ Hs[:-1], "b": Delta.sum(axis=0)}
    return loss, grads


def gru_grads(p: Arrays, X: np.ndarray, Y: np.ndarray, many_to_many: bool) -> Grads:
    """Loss and gradients of the GRU."""
    T, H = X.shape[0], p["W_hz"].shape[0]
    W_hz, W_hr, W_hh = p["W_hz"], p["W_hr"], p["W_hh"]
    A_z, A_r, A_n = (input_projection(p, X, gate) for gate in GRU_GATES)
    Hs, Z, R, N = np.empty((T + 1, H)), np.empty((T, H)), np.empty((T, H)), np.empty((T, H))
    Hs[0] = p["h0"]
    for t in range(T):
        h_prev = Hs[t]
        Z[t] = sigmoid(A_z[t] + W_hz @ h_prev)
        R[t] = sigmoid(A_r[t] + W_hr @ h_prev)
        N[t] = np.tanh(A_n[t] + W_hh @ (R[t] * h_prev))
        Hs[t + 1] = Z[t] * h_prev + (1.0 - Z[t]) * N[t]
    loss, dH_out, grads = output_layer(p, Hs, Y, many_to_many)
    dA_z, dA_r, dA_n = np.empty((T, H)), np.empty((T, H)), np.empty((T, H))
    dh_next = np.zeros(H)
    for t in range(T - 1, -1, -1):
        dh, h_prev, z, r, n = dH_out[t] + dh_next, Hs[t], Z[t], R[t], N[t]
        dA_n[t] = dh * (1.0 - z) * (1.0 - n * n)  # through h = ... + (1 - z) n, then tanh
        dA_z[t] = dh * (h_prev - n) * z * (1.0 - z)  # through z, then sigmoid
        d_rh = W_hh.T @ dA_n[t]  # dl/d(r * h_prev)
        dA_r[t] = d_rh * h_prev * r * (1.0 - r)
        dh_next = dh * z + d_rh * r + W_hz.T @ dA_z[t] + W_hr.T @ dA_r[t]
    grads |= weight_grads(p, "z", dA_z, X, Hs[:-1])
    grads |= weight_grads(p, "r", dA_r, X, Hs[:-1])
    grads |= weight_grads(p, "h", dA_n, X, R * Hs[:-1])
    return loss, grads


def lstm_grads(p: Arrays, X: np.ndarray, Y: np.ndarray, many_to_many: bool) -> Grads:
    """Loss and gradients of the LSTM."""
    T, H = X.shape[0], p["W_hi"].shape[0]
    W_hi, W_hf, W_ho, W_hc = p["W_hi"], p["W_hf"], p["W_ho"], p["W_hc"]
    A_i, A_f, A_o, A_g = (input_projection(p, X, gate) for gate in LSTM_GATES)
    Hs, Cs = np.empty((T + 1, H)), np.empty((T + 1, H))
    Hs[0], Cs[0] = p["h0"], p.get("c0", np.zeros(H))
    i_all, f_all, o_all, g_all, tanh_c_all = (np.empty((T, H)) for _ in range(5))
    for t in range(T):
        h_prev = Hs[t]
        i_all[t] = sigmoid(A_i[t] + W_hi @ h_prev)
        f_all[t] = sigmoid(A_f[t] + W_hf @ h_prev)
        o_all[t] = sigmoid(A_o[t] + W_ho @ h_prev)
        g_all[t] = np.tanh(A_g[t] + W_hc @ h_prev)
        Cs[t + 1] = f_all[t] * Cs[t] + i_all[t] * g_all[t]
        tanh_c_all[t] = np.tanh(Cs[t + 1])
        Hs[t + 1] = o_all[t] * tanh_c_all[t]
    loss, dH_out, grads = output_layer(p, Hs, Y, many_to_many)
    dA_i, dA_f, dA_o, dA_g = (np.empty((T, H)) for _ in range(4))
    dh_next, dc_next = np.zeros(H), np.zeros(H)
    for t in range(T - 1, -1, -1):
        dh = dH_out[t] + dh_next
        i, f, o, g, tc = i_all[t], f_all[t], o_all[t], g_all[t], tanh_c_all[t]
        dc = dc_next + dh * o * (1.0 - tc * tc)  # through h = o tanh(c)
        dA_o[t] = dh * tc * o * (1.0 - o)
        dA_i[t] = dc * g * i * (1.0 - i)
        dA_f[t] = dc * Cs[t] * f * (1.0 - f)
        dA_g[t] = dc * i * (1.0 - g * g)
        dc_next = dc * f
        dh_next = W_hi.T @ dA_i[t] + W_hf.T @ dA_f[t] + W_ho.T @ dA_o[t] + W_hc.T @ dA_g[t]
    for gate, dA in zip(LSTM_GATES, (dA_i, dA_f, dA_o, dA_g), strict=True):
        grads |= weight_grads(p, gate, dA, X, Hs[:-1])
    return loss, grads


def baseline_epoch(
    cell: str, params: Arrays, X: np.ndarray, Y: np.ndarray, learning_rate: float, mode: str
) -> Epoch:
    """Forward, backward and the update theta <- theta - eta g of one epoch."""
    cell_grads = {"elman": elman_grads, "gru": gru_grads, "lstm": lstm_grads}[cell]
    loss, grads = cell_grads(params, X, Y, mode == "many_to_many")
    new = {name: params[name] - learning_rate * g for name, g in grads.items()}
    return Epoch(loss, grads, new)
