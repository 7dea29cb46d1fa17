"""An independent whole-sequence BPTT, written the textbook way, to check the stepper against."""

import numpy as np

from app.core.functions import activate, activation_grad, loss, loss_grad
from app.core.model import Scenario


def reference_bptt(scenario: Scenario) -> tuple[float, dict[str, np.ndarray]]:
    """Forward over all T, then dL/dh_t = W_y^T dz_t + W_h^T delta_{t+1} for t = T..1."""
    config, p, T = scenario.config, scenario.params, scenario.T
    f = config.activation
    hs, As, dzs, total = [p.h0], [None], {}, 0.0
    for t in range(1, T + 1):
        As.append(p.W_x @ scenario.inputs[t - 1] + p.W_h @ hs[-1] + p.b)
        hs.append(activate(f, As[-1]))
        if t in scenario.targets_by_step:
            z = p.W_y @ hs[t] + (0 if p.b_y is None else p.b_y)
            total += loss(config.output, z, scenario.targets_by_step[t])
            dzs[t] = loss_grad(config.output, z, scenario.targets_by_step[t])
    grads = {name: np.zeros_like(value) for name, value in p.trained().items()}
    delta_next = np.zeros(config.hidden_size)
    for t in range(T, 0, -1):
        dh = p.W_h.T @ delta_next
        if t in dzs:
            dh = dh + p.W_y.T @ dzs[t]
            grads["W_y"] += np.outer(dzs[t], hs[t])
            if p.b_y is not None:
                grads["b_y"] += dzs[t]
        delta = dh * activation_grad(f, As[t], hs[t])
        grads["W_x"] += np.outer(delta, scenario.inputs[t - 1])
        grads["W_h"] += np.outer(delta, hs[t - 1])
        grads["b"] += delta
        delta_next = delta
    return total, grads
