"""The same models in PyTorch autograd (float64, no torch.nn): forward, loss.backward(), SGD.

Only the benchmark imports this, and only when torch is installed; torch is never a
dependency of the project. Shapes and equations are those of bench/baselines.py; the
forward is written the way a PyTorch user would (input projection for all t at once,
the recursion per step) and autograd does the backward pass.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from bench.baselines import LSTM_GATES, Epoch

Tensors = dict[str, torch.Tensor]


def to_tensors(params: Mapping[str, np.ndarray], trained: tuple[str, ...]) -> Tensors:
    """float64 tensors; the trained ones require grad (h0 and c0 do not)."""
    return {
        name: torch.tensor(value, dtype=torch.float64, requires_grad=name in trained)
        for name, value in params.items()
    }


def elman_states(p: Tensors, X: torch.Tensor) -> list[torch.Tensor]:
    """h_1 .. h_T."""
    A_in = X @ p["W_x"].T + p["b"]
    h, states = p["h0"], []
    for t in range(X.shape[0]):
        h = torch.tanh(A_in[t] + p["W_h"] @ h)
        states.append(h)
    return states


def gru_states(p: Tensors, X: torch.Tensor) -> list[torch.Tensor]:
    """h_1 .. h_T."""
    A_z, A_r, A_n = (X @ p[f"W_x{g}"].T + p[f"b_{g}"] for g in ("z", "r", "h"))
    h, states = p["h0"], []
    for t in range(X.shape[0]):
        z = torch.sigmoid(A_z[t] + p["W_hz"] @ h)
        r = torch.sigmoid(A_r[t] + p["W_hr"] @ h)
        n = torch.tanh(A_n[t] + p["W_hh"] @ (r * h))
        h = z * h + (1.0 - z) * n
        states.append(h)
    return states


def lstm_states(p: Tensors, X: torch.Tensor) -> list[torch.Tensor]:
    """h_1 .. h_T."""
    A_i, A_f, A_o, A_g = (X @ p[f"W_x{g}"].T + p[f"b_{g}"] for g in LSTM_GATES)
    h = p["h0"]
    c = p["c0"] if "c0" in p else torch.zeros_like(h)
    states = []
    for t in range(X.shape[0]):
        i = torch.sigmoid(A_i[t] + p["W_hi"] @ h)
        f = torch.sigmoid(A_f[t] + p["W_hf"] @ h)
        o = torch.sigmoid(A_o[t] + p["W_ho"] @ h)
        g = torch.tanh(A_g[t] + p["W_hc"] @ h)
        c = f * c + i * g
        h = o * torch.tanh(c)
        states.append(h)
    return states


def torch_epoch(
    cell: str, p: Tensors, X: torch.Tensor, Y: torch.Tensor, learning_rate: float, mode: str
) -> Epoch:
    """One epoch; updates the trained tensors of `p` in place and returns their gradients."""
    states = {"elman": elman_states, "gru": gru_states, "lstm": lstm_states}[cell](p, X)
    if mode == "many_to_many":
        Z = torch.stack(states) @ p["W_y"].T + p["b_y"]
    else:
        Z = p["W_y"] @ states[-1] + p["b_y"]
    loss = 0.5 * torch.sum((Z - Y) ** 2)
    loss.backward()
    grads = {name: value.grad for name, value in p.items() if value.requires_grad}
    with torch.no_grad():
        for name, g in grads.items():
            p[name].sub_(learning_rate * g)
            p[name].grad = None
    return Epoch(loss.item(), grads, p)
