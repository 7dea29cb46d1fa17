"""The five optimisers against torch.optim, in float64, over 20 updates with state carried.

A one-off check, not a test: torch is never a dependency of the project. With torch
installed (in .venv only), this feeds the same gradients to app.core.optimizers and to
torch.optim, at the issue's defaults and at other hyper-parameters, and prints the largest
difference in the parameters and in each state slot (relative to torch's); without torch
it says so and exits 0.

    .venv/bin/python bench/optimizers_vs_torch.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.optimizers import make_optimizer

UPDATES = 20
LEARNING_RATE = 0.01
SHAPES = {"W_x": (8, 4), "W_h": (8, 8), "b": (8,), "W_y": (3, 8), "b_y": (3,)}
CASES = [  # (our spec, torch.optim class name, its keyword arguments)
    ({"name": "sgd"}, "SGD", {}),
    ({"name": "momentum"}, "SGD", {"momentum": 0.9}),
    ({"name": "momentum", "momentum": 0.5}, "SGD", {"momentum": 0.5}),
    ({"name": "adagrad"}, "Adagrad", {"eps": 1e-10}),
    ({"name": "adagrad", "eps": 1e-3}, "Adagrad", {"eps": 1e-3}),
    ({"name": "rmsprop"}, "RMSprop", {"alpha": 0.99, "eps": 1e-8}),
    ({"name": "rmsprop", "rho": 0.9, "eps": 1e-4}, "RMSprop", {"alpha": 0.9, "eps": 1e-4}),
    ({"name": "adam"}, "Adam", {"betas": (0.9, 0.999), "eps": 1e-8}),
    (
        {"name": "adam", "beta1": 0.5, "beta2": 0.9, "eps": 1e-6},
        "Adam",
        {"betas": (0.5, 0.9), "eps": 1e-6},
    ),
]
# our slot name -> torch's state key, per torch.optim class
TORCH_SLOTS = {
    "SGD": {"v": "momentum_buffer"},
    "Adagrad": {"G": "sum"},
    "RMSprop": {"s": "square_avg"},
    "Adam": {"m": "exp_avg", "v": "exp_avg_sq"},
}


def gradients(seed: int) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """Initial parameters and one gradient per update, magnitudes from 1e-3 to 10."""
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(size=shape) for name, shape in SHAPES.items()}
    grads_seq = [
        {
            name: rng.normal(size=shape) * 10.0 ** rng.uniform(-3, 1, size=shape)
            for name, shape in SHAPES.items()
        }
        for _ in range(UPDATES)
    ]
    return params, grads_seq


def compare(torch, spec: dict, torch_name: str, torch_kwargs: dict) -> tuple[float, float, float]:
    """Largest |theta difference|, relative theta difference, relative state difference."""
    params, grads_seq = gradients(seed=0)
    ours = make_optimizer(spec)
    state, our_params = ours.init_state(params), dict(params)
    tensors = {name: torch.tensor(value, dtype=torch.float64) for name, value in params.items()}
    for tensor in tensors.values():
        tensor.requires_grad_(True)
    theirs = getattr(torch.optim, torch_name)(tensors.values(), lr=LEARNING_RATE, **torch_kwargs)
    worst_abs = worst_rel = worst_state = 0.0
    for grads in grads_seq:
        step = ours.step(our_params, grads, state, LEARNING_RATE)
        our_params, state = step.params, step.state
        for name, tensor in tensors.items():
            tensor.grad = torch.tensor(grads[name], dtype=torch.float64)
        theirs.step()
        for name, tensor in tensors.items():
            reference = tensor.detach().numpy()
            difference = np.abs(our_params[name] - reference)
            worst_abs = max(worst_abs, float(difference.max()))
            worst_rel = max(worst_rel, float((difference / np.abs(reference)).max()))
            for slot, key in TORCH_SLOTS[torch_name].items():
                if slot in state.slots:
                    their_slot = theirs.state[tensor][key].numpy()
                    gap = np.abs(state.slots[slot][name] - their_slot) / np.abs(their_slot)
                    worst_state = max(worst_state, float(np.nanmax(gap)))
    return worst_abs, worst_rel, worst_state


def main() -> int:
    try:
        import torch
    except ImportError:
        print("torch not installed")
        return 0
    print(f"torch {torch.__version__}, {UPDATES} updates, float64, learning rate {LEARNING_RATE}")
    print(f"{'ours':<52} {'max |dtheta|':>12} {'max rel':>9} {'state rel':>12}")
    for spec, torch_name, torch_kwargs in CASES:
        worst_abs, worst_rel, worst_state = compare(torch, spec, torch_name, torch_kwargs)
        label = ", ".join(f"{key}={value}" for key, value in spec.items())
        print(f"{label:<52} {worst_abs:>12.2e} {worst_rel:>9.1e} {worst_state:>12.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
