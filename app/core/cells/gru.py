"""The GRU cell (the textbook form, as in d2l.ai):

    z_t = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z)          update gate
    r_t = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)          reset gate
    n_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) + b_h)     candidate state
    h_t = z_t * h_{t-1} + (1 - z_t) * n_t

Shapes: x_t (d,), h_prev and every gate (H,), W_x* (H, d), W_h* (H, H), b_* (H,).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.core.cells.base import (
    Arrays,
    Blocks,
    Direct,
    Number,
    ParamSpec,
    State,
    StepCache,
    StepLine,
    Uses,
    gate_line,
    one,
    step_numbers,
    uses_at,
)
from app.core.functions import sigmoid

GATES = (("z", "update gate z"), ("r", "reset gate r"), ("h", "candidate n"))
GATE_VALUE = {"z": "z", "r": "r", "h": "n"}


def gate_specs(gates: tuple[tuple[str, str], ...]) -> tuple[ParamSpec, ...]:
    """W_x<g> (H, d), W_h<g> (H, H), b_<g> (H,) for each gate g."""
    specs: list[ParamSpec] = []
    for gate, role in gates:
        specs += [
            ParamSpec(f"W_x{gate}", "d", f"input weights of the {role}", f"W_{{x{gate}}}"),
            ParamSpec(f"W_h{gate}", "H", f"recurrent weights of the {role}", f"W_{{h{gate}}}"),
            ParamSpec(f"b_{gate}", "", f"bias of the {role}", f"b_{{{gate}}}"),
        ]
    return tuple(specs)


def gate_uses(gate: str, local: str, x: np.ndarray, operand: np.ndarray) -> tuple:
    """The use of gate g's parameters at t: da x^T, da operand^T, da (da the local `local`)."""
    return (local, ((f"W_x{gate}", x), (f"W_h{gate}", operand), (f"b_{gate}", None)))


def project_gates(p: Arrays, inputs: np.ndarray, gates: tuple[str, ...]) -> np.ndarray:
    """W_x<g> x_t + b_<g> of every gate g for every t at once: (T, len(gates) * H)."""
    weights = np.vstack([p[f"W_x{gate}"] for gate in gates])
    return inputs @ weights.T + np.concatenate([p[f"b_{gate}"] for gate in gates])


def split_parts(projected: np.ndarray | None, n: int, H: int) -> tuple:
    """The n gates' input parts of one step's projection (n * H,), or n Nones."""
    if projected is None:
        return (None,) * n
    return tuple(projected[i * H : (i + 1) * H] for i in range(n))


def gate_sum(p: Arrays, gate: str, x_t: np.ndarray, operand: np.ndarray, projected) -> np.ndarray:
    """W_x<g> x_t + W_h<g> operand + b_<g>, or with the input part `projected` given."""
    if projected is None:
        return p[f"W_x{gate}"] @ x_t + p[f"W_h{gate}"] @ operand + p[f"b_{gate}"]
    return projected + p[f"W_h{gate}"] @ operand


def split_name(name: str) -> tuple[str, str]:
    """'W_xz' -> ('x', 'z'), 'W_hz' -> ('h', 'z'), 'b_z' -> ('b', 'z')."""
    return ("b", name[2:]) if name.startswith("b_") else (name[2], name[3:])


@dataclass(frozen=True)
class GRU:
    name: ClassVar[str] = "gru"
    states: ClassVar[tuple[str, ...]] = ("h",)
    state_symbol: ClassVar[str] = "h"
    equations: ClassVar[tuple[str, ...]] = (
        r"z_t = \sigma(W_{xz} x_t + W_{hz} h_{t-1} + b_z)",
        r"r_t = \sigma(W_{xr} x_t + W_{hr} h_{t-1} + b_r)",
        r"n_t = \tanh(W_{xh} x_t + W_{hh} (r_t \odot h_{t-1}) + b_h)",
        r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t",
    )

    value_latex: ClassVar[tuple[tuple[str, str], ...]] = ()

    def step_lines(self) -> tuple[StepLine, ...]:
        """The equations above as templates the page fills with numbers."""
        return (
            gate_line("z", "z", r"\sigma"),
            gate_line("r", "r", r"\sigma"),
            gate_line("h", "n", r"\tanh", operand=r"([[r]] \odot [[h_prev]])"),
            StepLine("h_{t}", r"[[z]] \odot [[h_prev]] + (1 - [[z]]) \odot [[n]]", "h"),
        )

    def specs(self) -> tuple[ParamSpec, ...]:
        return gate_specs(GATES)

    def forward(
        self, p: Arrays, x_t: np.ndarray, state_prev: State, projected: np.ndarray | None = None
    ) -> StepCache:
        (h_prev,) = state_prev
        parts = split_parts(projected, 3, h_prev.shape[0])
        z = sigmoid(gate_sum(p, "z", x_t, h_prev, parts[0]))
        r = sigmoid(gate_sum(p, "r", x_t, h_prev, parts[1]))
        n = np.tanh(gate_sum(p, "h", x_t, r * h_prev, parts[2]))
        h = z * h_prev + (1.0 - z) * n
        return StepCache(x_t, state_prev, (h,), {"z": z, "r": r, "n": n})

    def project(self, p: Arrays, inputs: np.ndarray) -> np.ndarray:
        return project_gates(p, inputs, ("z", "r", "h"))

    def uses(self, cache: StepCache) -> Uses:
        (h_prev,), x = cache.state_prev, cache.x
        return (
            gate_uses("z", "da_z", x, h_prev),
            gate_uses("r", "da_r", x, h_prev),
            gate_uses("h", "da_n", x, cache.values["r"] * h_prev),
        )

    def backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray], dict[str, np.ndarray]]:
        share, local = self.local_backward(p, cache, dstate)
        return share, uses_at(self.uses(cache), local), local

    def local_backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray]]:
        """Backprop through h_t = z h_prev + (1 - z) n, then through each gate's sum."""
        (dh,), (h_prev,) = dstate, cache.state_prev
        z, r, n = (cache.values[key] for key in ("z", "r", "n"))
        da_n = dh * (1.0 - z) * (1.0 - n * n)  # through (1 - z) n, then tanh
        da_z = dh * (h_prev - n) * z * (1.0 - z)  # through z (h_prev - n), then sigmoid
        d_rh = p["W_hh"].T @ da_n  # dL/d(r * h_prev)
        da_r = d_rh * h_prev * r * (1.0 - r)
        dh_prev = dh * z + d_rh * r + p["W_hz"].T @ da_z + p["W_hr"].T @ da_r
        return (dh_prev,), {"da_z": da_z, "da_r": da_r, "da_n": da_n}

    def _coefs(self, p: Arrays, cache: StepCache) -> dict[str, np.ndarray]:
        """dh_t/da for each gate's pre-activation a: diagonal for z and n, (H, H) for r."""
        (h_prev,) = cache.state_prev
        z, r, n = (cache.values[key] for key in ("z", "r", "n"))
        through_n = (1.0 - z) * (1.0 - n * n)
        return {
            "z": (h_prev - n) * z * (1.0 - z),
            "h": through_n,
            "r": through_n[:, None] * p["W_hh"] * (h_prev * r * (1.0 - r))[None, :],
        }

    def jacobian(self, p: Arrays, cache: StepCache) -> np.ndarray:
        """dh_t/dh_{t-1} = diag(z) + diag(c_z) W_hz + diag(c_n) W_hh diag(r) + C_r W_hr."""
        r = cache.values["r"]
        coefs = self._coefs(p, cache)
        direct = np.diag(cache.values["z"]) + coefs["h"][:, None] * p["W_hh"] * r[None, :]
        return direct + coefs["z"][:, None] * p["W_hz"] + coefs["r"] @ p["W_hr"]

    def direct(self, name: str, p: Arrays, cache: StepCache) -> Direct:
        """d+h_t/dtheta: dh_t/da_gate times the operand (x_t, h_{t-1}, r_t * h_{t-1}, none)."""
        return self.directs(p, cache)[name]

    def directs(self, p: Arrays, cache: StepCache) -> dict[str, Direct]:
        """Every parameter's Direct; the gate coefficients (one (H, H) for r) computed once."""
        (h_prev,) = cache.state_prev
        coefs, gated = self._coefs(p, cache), cache.values["r"] * h_prev
        operands = {"b": None, "x": cache.x}
        directs = {}
        for spec in self.specs():
            kind, gate = split_name(spec.name)
            operand = operands[kind] if kind != "h" else gated if gate == "h" else h_prev
            directs[spec.name] = Direct(coefs[gate], operand)
        return directs

    def jacobian_latex(self, j: int) -> str:
        i = j - 1
        return (
            rf"\operatorname{{diag}}(z_{{{j}}}) + \operatorname{{diag}}((h_{{{i}}} - n_{{{j}}})"
            rf"\,z_{{{j}}}(1 - z_{{{j}}}))\,W_{{hz}} + \operatorname{{diag}}((1 - z_{{{j}}})"
            rf"(1 - n_{{{j}}}^2))\,W_{{hh}}\,[\operatorname{{diag}}(r_{{{j}}}) + "
            rf"\operatorname{{diag}}(h_{{{i}}}\,r_{{{j}}}(1 - r_{{{j}}}))\,W_{{hr}}]"
        )

    def direct_latex(self, name: str, t: int) -> str:
        kind, gate = split_name(name)
        operand = {
            "b": "",
            "x": rf"\,x_{{{t}}}^\top",
            "h": rf"\,(r_{{{t}}} \odot h_{{{t - 1}}})^\top"
            if gate == "h"
            else rf"\,h_{{{t - 1}}}^\top",
        }[kind]
        if gate == "r":  # d+a^r_t/dtheta: the operand in every row
            return rf"\mathbf{{1}}{operand}" if operand else r"\mathbf{1}"
        coef = {
            "z": rf"(h_{{{t - 1}}} - n_{{{t}}})\,z_{{{t}}}(1 - z_{{{t}}})",
            "h": rf"(1 - z_{{{t}}})(1 - n_{{{t}}}^2)",
        }[gate]
        return rf"({coef}){operand}"

    def edges(self, t: int) -> tuple[tuple[str, str], ...]:
        return ((f"x_{t}", f"h_{t}"), (f"h_{t - 1}", f"h_{t}"))

    def param_target(self, name: str) -> str:
        return "h"

    def coef_entry(self, gate: str, t: int) -> str:
        """Entry i of dh_t/da for gate z or the candidate n (both diagonal)."""
        z, n, h_prev = f"[[z_{t}:i]]", f"[[n_{t}:i]]", f"[[h_{t - 1}:i]]"
        if gate == "z":  # (h_{t-1} - n_t) z_t (1 - z_t)
            return f"({h_prev} - {n}) [[*]] {z}(1 - {z})"
        return f"(1 - {z})(1 - {n}^2)"  # (1 - z_t)(1 - n_t^2)

    def jacobian_entry(self, j: int) -> Blocks:
        """[dh_j/dh_{j-1}]_ik = z_i I_ik + c_z,i W_hz[i, k] + c_n,i M_j[i, k], with
        M_j = W_hh (diag(r_j) + diag(h_{j-1} r_j (1 - r_j)) W_hr) (the way through r_j)."""
        z_part = f"[[z_{j}:i]] [[*]] [[I:ij]]"
        through_z = f"{self.coef_entry('z', j)} [[*]] [[W_hz:ij]]"
        through_n = f"{self.coef_entry('h', j)} [[*]] [[M_{j}:ij]]"
        return one(f"{z_part} + {through_z} + {through_n}")

    def direct_entry(self, name: str, t: int) -> Blocks:
        """z and n: the gate's coefficient_i times operand_j. r: the last factor after the gate
        factor (gate_entry), d+a^r_t/dtheta, operand_j in every row (1 for the bias)."""
        kind, gate = split_name(name)
        operand = {
            "x": f"[[x_{t}:j]]",
            "h": f"[[r_{t}:j]] [[*]] [[h_{t - 1}:j]]" if gate == "h" else f"[[h_{t - 1}:j]]",
            "b": "",
        }[kind]
        if gate == "r":
            return one(operand or "1")
        coef = self.coef_entry(gate, t)
        return one(f"{coef} [[*]] {operand}" if operand else coef)

    def through(self, name: str) -> str | None:
        """The reset gate's unit i reaches every unit of h_t (through W_hh): its parameters'
        direct partial is written as dh_t/da^r_t (H, H) times d+a^r_t/dtheta."""
        return "a^{r}" if split_name(name)[1] == "r" else None

    def gate_latex(self, name: str, t: int) -> str:
        """dh_t/da^r_t = diag((1 - z_t)(1 - n_t^2)) W_hh diag(h_{t-1} r_t (1 - r_t))."""
        return (
            rf"\operatorname{{diag}}((1 - z_{{{t}}})(1 - n_{{{t}}}^2))\,W_{{hh}}\,"
            rf"\operatorname{{diag}}(h_{{{t - 1}}}\,r_{{{t}}}(1 - r_{{{t}}}))"
        )

    def gate_entry(self, name: str, t: int) -> Blocks:
        """[dh_t/da^r_t]_ik = (1 - z_i)(1 - n_i^2) W_hh[i, k] h_{t-1}[k] r_k (1 - r_k)."""
        r = f"[[r_{t}:j]]"
        return one(
            f"{self.coef_entry('h', t)} [[*]] [[W_hh:ij]] [[*]] [[h_{t - 1}:j]] [[*]] {r}(1 - {r})"
        )

    def entry_numbers(self, p: Arrays, cache: StepCache, t: int) -> list[Number]:
        """The step's numbers, and M_t = W_hh (diag(r_t) + diag(h_{t-1} r_t (1 - r_t)) W_hr)."""
        r, (h_prev,) = cache.values["r"], cache.state_prev
        through_r = np.diag(r) + (h_prev * r * (1.0 - r))[:, None] * p["W_hr"]
        latex = (
            rf"\left(W_{{hh}}(\operatorname{{diag}}(r_{{{t}}}) + \operatorname{{diag}}"
            rf"(h_{{{t - 1}}}\,r_{{{t}}}(1 - r_{{{t}}}))\,W_{{hr}})\right)"
        )
        found = step_numbers(p, cache, t, self.states)
        return [*found, Number(f"M_{t}", latex, p["W_hh"] @ through_r)]
