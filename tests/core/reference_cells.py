"""An independent whole-sequence forward pass and textbook BPTT for the three cells of issue 7,
written from their equations, to check the engine's cells against.

    elman: a_t = W_x x_t + W_h h_{t-1} + b,   h_t = f(a_t)
    gru:   z_t = s(W_xz x_t + W_hz h_{t-1} + b_z),   r_t = s(W_xr x_t + W_hr h_{t-1} + b_r),
           n_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) + b_h),
           h_t = z_t * h_{t-1} + (1 - z_t) * n_t
    lstm:  i_t, f_t, o_t = s(W_x? x_t + W_h? h_{t-1} + b_?)   for ? = i, f, o,
           g_t = tanh(W_xc x_t + W_hc h_{t-1} + b_c),
           c_t = f_t * c_{t-1} + i_t * g_t,   h_t = o_t * tanh(c_t)
    all:   z_t = W_y h_t + b_y,   L = sum over the loss steps of l(z_t, y_t)

s is the logistic sigmoid, * is element-wise. Shapes: W_x* (H, d), W_h* (H, H), b* (H,),
W_y (K, H), b_y (K,) (absent: no output bias), h0 and c0 (H,) (given, not trained);
inputs (T, d); targets (T, K) for many_to_many (a loss at every step) or (K,) for
many_to_one (a loss at step T only). Only the losses and the Elman activation come from
app.core.functions; nothing else here is shared with the engine.
"""

from __future__ import annotations

import numpy as np

from app.core.functions import activate, activation_grad, loss, loss_grad

Arrays = dict[str, np.ndarray]  # parameter (or gate) name -> array
Vector = np.ndarray

# (gate, its input weight, its recurrent weight, its bias), in the order
GRU_GATES = (
    ("z", "W_xz", "W_hz", "b_z"),
    ("r", "W_xr", "W_hr", "b_r"),
    ("n", "W_xh", "W_hh", "b_h"),
)
LSTM_GATES = (
    ("i", "W_xi", "W_hi", "b_i"),
    ("f", "W_xf", "W_hf", "b_f"),
    ("o", "W_xo", "W_ho", "b_o"),
    ("g", "W_xc", "W_hc", "b_c"),
)


def cell_param_names(cell: str) -> tuple[str, ...]:
    """The cell's trained parameters (the output layer's W_y, b_y not included)."""
    if cell == "elman":
        return ("W_x", "W_h", "b")
    gates = GRU_GATES if cell == "gru" else LSTM_GATES
    return tuple(name for gate in gates for name in gate[1:])


def trained_names(cell: str, params: Arrays) -> tuple[str, ...]:
    """Every parameter the gradient covers: the cell's, W_y, and b_y when it is given."""
    return (*cell_param_names(cell), "W_y", *(("b_y",) if "b_y" in params else ()))


def sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-a), written as (1 + tanh(a/2)) / 2 so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def affine(p: Arrays, gate: tuple[str, ...], x: Vector, h: Vector) -> Vector:
    """W_x? x + W_h? h + b_? for one gate; h (H,) is whatever the gate's recurrent input is."""
    _, W_x, W_h, b = gate
    return p[W_x] @ x + p[W_h] @ h + p[b]


def elman_forward(p: Arrays, x: Vector, h_prev: Vector, activation: str) -> Arrays:
    a = p["W_x"] @ x + p["W_h"] @ h_prev + p["b"]
    return {"a": a, "h": activate(activation, a)}


def gru_forward(p: Arrays, x: Vector, h_prev: Vector) -> Arrays:
    z = sigmoid(affine(p, GRU_GATES[0], x, h_prev))  # update gate
    r = sigmoid(affine(p, GRU_GATES[1], x, h_prev))  # reset gate
    n = np.tanh(affine(p, GRU_GATES[2], x, r * h_prev))  # candidate state
    return {"z": z, "r": r, "n": n, "h": z * h_prev + (1.0 - z) * n}


def lstm_forward(p: Arrays, x: Vector, h_prev: Vector, c_prev: Vector) -> Arrays:
    i, f, o = (sigmoid(affine(p, gate, x, h_prev)) for gate in LSTM_GATES[:3])
    g = np.tanh(affine(p, LSTM_GATES[3], x, h_prev))
    c = f * c_prev + i * g
    return {"i": i, "f": f, "o": o, "g": g, "c": c, "h": o * np.tanh(c)}


def forward(cell: str, p: Arrays, inputs: np.ndarray, activation: str) -> list[Arrays]:
    """One dict per step t = 1..T: the state h (and c) and the gate values."""
    steps, h, c = [], p["h0"], p.get("c0")
    for x in inputs:
        if cell == "elman":
            step = elman_forward(p, x, h, activation)
        elif cell == "gru":
            step = gru_forward(p, x, h)
        else:
            step = lstm_forward(p, x, h, c)
            c = step["c"]
        steps.append(step)
        h = step["h"]
    return steps


def add_gate_grads(
    grads: Arrays, gate: tuple[str, ...], da: Vector, x: Vector, h_in: Vector
) -> None:
    """The gate's pre-activation gradient da (H,) into dW_x? += da x^T, dW_h? += da h_in^T, db_?."""
    _, W_x, W_h, b = gate
    grads[W_x] += np.outer(da, x)
    grads[W_h] += np.outer(da, h_in)
    grads[b] += da


def elman_backward(
    p: Arrays, x: Vector, h_prev: Vector, step: Arrays, dh: Vector, grads: Arrays, activation: str
) -> Vector:
    """dL/dh_{t-1} through this step, given dL/dh_t (H,); adds the step's parameter grads."""
    da = dh * activation_grad(activation, step["a"], step["h"])  # backprop through f
    grads["W_x"] += np.outer(da, x)
    grads["W_h"] += np.outer(da, h_prev)
    grads["b"] += da
    return p["W_h"].T @ da


def gru_backward(
    p: Arrays, x: Vector, h_prev: Vector, step: Arrays, dh: Vector, grads: Arrays
) -> Vector:
    """dL/dh_{t-1} through this step, given dL/dh_t (H,); adds the step's parameter grads."""
    z, r, n = step["z"], step["r"], step["n"]
    # h = z * h_prev + (1 - z) * n
    dz, dn, dh_prev = dh * (h_prev - n), dh * (1.0 - z), dh * z
    da_n = dn * (1.0 - n * n)  # backprop through tanh
    add_gate_grads(grads, GRU_GATES[2], da_n, x, r * h_prev)
    d_reset_h = p["W_hh"].T @ da_n  # dL/d(r * h_prev)
    dr, dh_prev = d_reset_h * h_prev, dh_prev + d_reset_h * r
    for gate, d_out, out in ((GRU_GATES[0], dz, z), (GRU_GATES[1], dr, r)):
        da = d_out * out * (1.0 - out)  # backprop through the sigmoid
        add_gate_grads(grads, gate, da, x, h_prev)
        dh_prev = dh_prev + p[gate[2]].T @ da
    return dh_prev


def lstm_backward(
    p: Arrays,
    x: Vector,
    h_prev: Vector,
    c_prev: Vector,
    step: Arrays,
    dh: Vector,
    dc: Vector,
    grads: Arrays,
) -> tuple[Vector, Vector]:
    """(dL/dh_{t-1}, dL/dc_{t-1}) given dL/dh_t and the dL/dc_t from step t+1; adds grads."""
    i, f, o, g, c = step["i"], step["f"], step["o"], step["g"], step["c"]
    tanh_c = np.tanh(c)
    # h = o * tanh(c): into o, and into c on top of what c_{t+1} sends back
    do, dc = dh * tanh_c, dc + dh * o * (1.0 - tanh_c * tanh_c)
    # c = f * c_prev + i * g
    d_gates = {"i": dc * g, "f": dc * c_prev, "o": do, "g": dc * i}
    dh_prev = np.zeros_like(h_prev)
    for gate in LSTM_GATES:
        name, out = gate[0], step[gate[0]]
        local = 1.0 - out * out if name == "g" else out * (1.0 - out)  # tanh' or sigmoid'
        da = d_gates[name] * local
        add_gate_grads(grads, gate, da, x, h_prev)
        dh_prev = dh_prev + p[gate[2]].T @ da
    return dh_prev, dc * f


def output_losses(
    p: Arrays, steps: list[Arrays], targets: np.ndarray, output: str, mode: str
) -> tuple[float, dict[int, Vector]]:
    """(L, {t: dl_t/dz_t (K,)}) over the loss steps, z_t = W_y h_t + b_y."""
    T = len(steps)
    loss_steps = range(1, T + 1) if mode == "many_to_many" else (T,)
    total, dzs = 0.0, {}
    for t in loss_steps:
        y = targets[t - 1] if mode == "many_to_many" else targets
        z = p["W_y"] @ steps[t - 1]["h"] + p.get("b_y", 0.0)
        total += loss(output, z, y)
        dzs[t] = loss_grad(output, z, y)
    return total, dzs


def reference_bptt(
    cell: str,
    params: Arrays,
    inputs: np.ndarray,
    targets: np.ndarray,
    output: str,
    mode: str,
    activation: str = "tanh",
) -> tuple[float, Arrays, list[Arrays]]:
    """(L, dL/dtheta for every trained parameter, the forward steps t = 1..T).

    The whole forward pass first, then t = T..1: dL/dh_t = W_y^T dz_t (at a loss step)
    + what step t+1 sent back; for the LSTM dL/dc_t also comes back from step t+1.
    """
    steps = forward(cell, params, inputs, activation)
    total, dzs = output_losses(params, steps, targets, output, mode)
    grads = {name: np.zeros_like(params[name]) for name in trained_names(cell, params)}
    dh_next = np.zeros_like(params["h0"])
    dc_next = np.zeros_like(params["h0"])
    for t in range(len(steps), 0, -1):
        dh = dh_next
        if t in dzs:  # backprop through the output layer
            dh = dh + params["W_y"].T @ dzs[t]
            grads["W_y"] += np.outer(dzs[t], steps[t - 1]["h"])
            if "b_y" in grads:
                grads["b_y"] += dzs[t]
        x = inputs[t - 1]
        h_prev = steps[t - 2]["h"] if t > 1 else params["h0"]
        if cell == "elman":
            dh_next = elman_backward(params, x, h_prev, steps[t - 1], dh, grads, activation)
        elif cell == "gru":
            dh_next = gru_backward(params, x, h_prev, steps[t - 1], dh, grads)
        else:
            c_prev = steps[t - 2]["c"] if t > 1 else params["c0"]
            dh_next, dc_next = lstm_backward(
                params, x, h_prev, c_prev, steps[t - 1], dh, dc_next, grads
            )
    return total, grads, steps
