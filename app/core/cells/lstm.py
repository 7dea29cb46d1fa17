"""The LSTM cell, with state s_t = (h_t, c_t):

    i_t = sigmoid(W_xi x_t + W_hi h_{t-1} + b_i)      input gate
    f_t = sigmoid(W_xf x_t + W_hf h_{t-1} + b_f)      forget gate
    o_t = sigmoid(W_xo x_t + W_ho h_{t-1} + b_o)      output gate
    g_t = tanh(W_xc x_t + W_hc h_{t-1} + b_c)         candidate cell
    c_t = f_t * c_{t-1} + i_t * g_t,   h_t = o_t * tanh(c_t)

Shapes: x_t (d,), h, c and every gate (H,), W_x* (H, d), W_h* (H, H), b_* (H,);
the whole state s_t = [h_t; c_t] (2H,) and its Jacobian (2H, 2H).
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
    step_numbers,
    uses_at,
)
from app.core.cells.gru import (
    gate_specs,
    gate_sum,
    gate_uses,
    project_gates,
    split_name,
    split_parts,
)
from app.core.functions import sigmoid

GATES = (("i", "input gate i"), ("f", "forget gate f"), ("o", "output gate o"))
GATES += (("c", "candidate cell g"),)
GATE_VALUE = {"i": "i", "f": "f", "o": "o", "c": "g"}


@dataclass(frozen=True)
class LSTM:
    name: ClassVar[str] = "lstm"
    states: ClassVar[tuple[str, ...]] = ("h", "c")
    state_symbol: ClassVar[str] = "s"
    equations: ClassVar[tuple[str, ...]] = (
        r"i_t = \sigma(W_{xi} x_t + W_{hi} h_{t-1} + b_i)",
        r"f_t = \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f)",
        r"o_t = \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o)",
        r"g_t = \tanh(W_{xc} x_t + W_{hc} h_{t-1} + b_c)",
        r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
        r"h_t = o_t \odot \tanh(c_t)",
    )

    value_latex: ClassVar[tuple[tuple[str, str], ...]] = (("tanh_c", r"\tanh(c_{t})"),)

    def step_lines(self) -> tuple[StepLine, ...]:
        """The equations above as templates the page fills with numbers."""
        gates = tuple(
            gate_line(gate, GATE_VALUE[gate], r"\tanh" if gate == "c" else r"\sigma")
            for gate, _ in GATES
        )
        cell = StepLine("c_{t}", r"[[f]] \odot [[c_prev]] + [[i]] \odot [[g]]", "c")
        hidden = StepLine("h_{t}", r"[[o]] \odot \tanh([[c]])", "h", via=r"[[o]] \odot [[tanh_c]]")
        return (*gates, cell, hidden)

    def specs(self) -> tuple[ParamSpec, ...]:
        return gate_specs(GATES)

    def forward(
        self, p: Arrays, x_t: np.ndarray, state_prev: State, projected: np.ndarray | None = None
    ) -> StepCache:
        h_prev, c_prev = state_prev
        parts = split_parts(projected, 4, h_prev.shape[0])
        values = {}
        for (gate, _), part in zip(GATES, parts, strict=True):
            a = gate_sum(p, gate, x_t, h_prev, part)
            values[GATE_VALUE[gate]] = np.tanh(a) if gate == "c" else sigmoid(a)
        c = values["f"] * c_prev + values["i"] * values["g"]
        values["tanh_c"] = np.tanh(c)
        h = values["o"] * values["tanh_c"]
        return StepCache(x_t, state_prev, (h, c), values)

    def _gate_coefs(self, cache: StepCache) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """(dh_t/da, dc_t/da) for each gate's pre-activation a, each (H,) (diagonal)."""
        v, c_prev = cache.values, cache.state_prev[1]
        i, f, o, g, tanh_c = (v[key] for key in ("i", "f", "o", "g", "tanh_c"))
        through_c = o * (1.0 - tanh_c * tanh_c)  # dh_t/dc_t
        dc = {"i": g * i * (1.0 - i), "f": c_prev * f * (1.0 - f), "c": i * (1.0 - g * g)}
        dc["o"] = np.zeros_like(i)
        coefs = {gate: (through_c * dc[gate], dc[gate]) for gate in ("i", "f", "c")}
        coefs["o"] = (tanh_c * o * (1.0 - o), dc["o"])
        return coefs

    def project(self, p: Arrays, inputs: np.ndarray) -> np.ndarray:
        return project_gates(p, inputs, tuple(gate for gate, _ in GATES))

    def uses(self, cache: StepCache) -> Uses:
        h_prev, x = cache.state_prev[0], cache.x
        return tuple(gate_uses(g, f"da_{GATE_VALUE[g]}", x, h_prev) for g, _ in GATES)

    def backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray], dict[str, np.ndarray]]:
        share, local = self.local_backward(p, cache, dstate)
        return share, uses_at(self.uses(cache), local), local

    def local_backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray]]:
        """dL/dc_t in full (its own share plus h_t's through tanh), then each gate."""
        dh, dc = dstate
        v = cache.values
        dc_total = dc + dh * v["o"] * (1.0 - v["tanh_c"] ** 2)
        da = {
            "i": dc_total * v["g"] * v["i"] * (1.0 - v["i"]),
            "f": dc_total * cache.state_prev[1] * v["f"] * (1.0 - v["f"]),
            "o": dh * v["tanh_c"] * v["o"] * (1.0 - v["o"]),
            "c": dc_total * v["i"] * (1.0 - v["g"] ** 2),
        }
        dh_prev = sum((p[f"W_h{gate}"].T @ da[gate] for gate in da), np.zeros_like(dh))
        local = {f"da_{GATE_VALUE[gate]}": da[gate] for gate in da}
        return (dh_prev, dc_total * v["f"]), {"dc_total": dc_total, **local}

    def jacobian(self, p: Arrays, cache: StepCache) -> np.ndarray:
        """ds_t/ds_{t-1} = [[dh/dh_prev, dh/dc_prev], [dc/dh_prev, dc/dc_prev]], (2H, 2H)."""
        coefs = self._gate_coefs(cache)
        dh_dh = sum(coefs[g][0][:, None] * p[f"W_h{g}"] for g in coefs)
        dc_dh = sum(coefs[g][1][:, None] * p[f"W_h{g}"] for g in coefs)
        f, through_c = cache.values["f"], cache.values["o"] * (1 - cache.values["tanh_c"] ** 2)
        return np.block([[dh_dh, np.diag(through_c * f)], [dc_dh, np.diag(f)]])

    def direct(self, name: str, p: Arrays, cache: StepCache) -> Direct:
        """d+s_t/dtheta: (dh_t/da, dc_t/da) stacked (2H,), times the operand."""
        return self.directs(p, cache)[name]

    def directs(self, p: Arrays, cache: StepCache) -> dict[str, Direct]:
        """Every parameter's Direct; each gate's stacked coefficient (2H,) made once."""
        coefs = {gate: np.concatenate(pair) for gate, pair in self._gate_coefs(cache).items()}
        operands = {"b": None, "x": cache.x, "h": cache.state_prev[0]}
        directs = {}
        for spec in self.specs():
            kind, gate = split_name(spec.name)
            directs[spec.name] = Direct(coefs[gate], operands[kind], n_states=2)
        return directs

    def jacobian_latex(self, j: int) -> str:
        return (
            rf"\begin{{bmatrix}} \partial h_{{{j}}}/\partial h_{{{j - 1}}} & "
            rf"\operatorname{{diag}}(o_{{{j}}}(1 - \tanh^2 c_{{{j}}})\,f_{{{j}}}) \\ "
            rf"\partial c_{{{j}}}/\partial h_{{{j - 1}}} & \operatorname{{diag}}(f_{{{j}}})"
            rf" \end{{bmatrix}}"
        )

    def direct_latex(self, name: str, t: int) -> str:
        kind, gate = split_name(name)
        dc = {
            "i": rf"g_{{{t}}}\,i_{{{t}}}(1 - i_{{{t}}})",
            "f": rf"c_{{{t - 1}}}\,f_{{{t}}}(1 - f_{{{t}}})",
            "c": rf"i_{{{t}}}(1 - g_{{{t}}}^2)",
            "o": "0",
        }[gate]
        dh = (
            rf"\tanh(c_{{{t}}})\,o_{{{t}}}(1 - o_{{{t}}})"
            if gate == "o"
            else rf"o_{{{t}}}(1 - \tanh^2 c_{{{t}}})\,{dc}"
        )
        operand = {"b": "", "x": rf"\,x_{{{t}}}^\top", "h": rf"\,h_{{{t - 1}}}^\top"}[kind]
        return rf"\begin{{bmatrix}} {dh} \\ {dc} \end{{bmatrix}}{operand}"

    def coef_entries(self, gate: str, t: int) -> tuple[str, str]:
        """Entry i of (dh_t/da, dc_t/da) for the gate's pre-activation a (both diagonal)."""
        i, f, o, g = (f"[[{v}_{t}:i]]" for v in ("i", "f", "o", "g"))
        tanh_c = f"[[tanh_c_{t}:i]]"
        dc = {
            "i": f"{g} [[*]] {i}(1 - {i})",
            "f": f"[[c_{t - 1}:i]] [[*]] {f}(1 - {f})",
            "c": f"{i}(1 - {g}^2)",
        }
        if gate == "o":
            return f"{tanh_c} [[*]] {o}(1 - {o})", "0"
        return f"{o}(1 - {tanh_c}^2) [[*]] {dc[gate]}", dc[gate]

    def jacobian_entry(self, j: int) -> Blocks:
        """The four blocks of ds_j/ds_{j-1}: dh/dh_prev = sum over gates of dh/da_i W_h*[i, k];
        dh/dc_prev = diag(o (1 - tanh^2 c) f); dc/dh_prev the same sum with dc/da; diag(f)."""
        o, f, tanh_c = (f"[[{v}_{j}:i]]" for v in ("o", "f", "tanh_c"))
        by_c = " + ".join(f"{self.coef_entries(g, j)[1]} [[*]] [[W_h{g}:ij]]" for g in "ifc")
        by_o = f"{self.coef_entries('o', j)[0]} [[*]] [[W_ho:ij]]"
        dh_dh = f"{o}(1 - {tanh_c}^2) [[*]] ({by_c}) + {by_o}"
        dh_dc = f"{o}(1 - {tanh_c}^2) [[*]] {f} [[*]] [[I:ij]]"
        return ((dh_dh, dh_dc), (by_c, f"{f} [[*]] [[I:ij]]"))

    def direct_entry(self, name: str, t: int) -> Blocks:
        """[d+s_t/dtheta]: (dh_t/da_i, dc_t/da_i) times operand_j (x_t, h_{t-1}; a bias none)."""
        kind, gate = split_name(name)
        operand = {"x": f"[[x_{t}:j]]", "h": f"[[h_{t - 1}:j]]", "b": ""}[kind]
        rows = []
        for coef in self.coef_entries(gate, t):
            rows.append((f"({coef}) [[*]] {operand}" if operand and coef != "0" else coef,))
        return tuple(rows)

    def entry_numbers(self, p: Arrays, cache: StepCache, t: int) -> list[Number]:
        return step_numbers(p, cache, t, self.states)

    def through(self, name: str) -> str | None:
        return None  # every direct partial is diagonal: unit i of a gate feeds unit i only

    def edges(self, t: int) -> tuple[tuple[str, str], ...]:
        return (
            (f"x_{t}", f"c_{t}"),
            (f"h_{t - 1}", f"c_{t}"),
            (f"c_{t - 1}", f"c_{t}"),
            (f"x_{t}", f"h_{t}"),
            (f"h_{t - 1}", f"h_{t}"),
            (f"c_{t}", f"h_{t}"),
        )

    def param_target(self, name: str) -> str:
        return "h" if split_name(name)[1] == "o" else "c"
