"""Each factor's entry template, filled with the term's numbers, is the factor's entry; the
term is diag(row) times its last factor; running = previous + value."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from app.core import bptt, get_preset, term_detail
from app.core.cells import make_cell
from app.core.cells.base import latex_name
from app.core.model import Config, Scenario, init_params

PLACEHOLDER = re.compile(r"\[\[(\w+)(?::(ij|i|j))?\]\]")


def filled(template: str, numbers: dict[str, np.ndarray], i: int, j: int) -> float:
    """The template as arithmetic: its placeholders replaced by the numbers of entry (i, j)."""

    def number(match: re.Match[str]) -> str:
        name, index = match.groups()
        value = numbers[name]
        picked = {"ij": lambda: value[i, j], "i": lambda: value[i], "j": lambda: value[j]}
        return f"({float(picked[index]() if index else value):.17g})"

    text = PLACEHOLDER.sub(number, template.replace("[[*]]", "*")).replace("^", "**")
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)  # a quotient
    text = re.sub(r"\)\s*\(", ")*(", text)  # a juxtaposed product, z(1 - z)
    text = text.replace(r"\mathbb{1}[", "float(").replace("> 0]", "> 0)")
    return eval(text, {"float": float})  # arithmetic built just above


def filled_entry(blocks, value: np.ndarray, numbers: dict[str, np.ndarray], i: int, j: int):
    """Entry (i, j) of a factor from the template of its block, i and j within the block."""
    rows = (value.shape[0] if value.ndim else 1) // len(blocks)
    columns = (value.shape[1] if value.ndim == 2 else 1) // len(blocks[0])
    template = blocks[i // rows][j // columns]
    return filled(template, numbers, i % rows, j % columns)


def entries_of(value: np.ndarray) -> list[tuple[int, int]]:
    """(i, j) of every entry: a row (1, K) is (0, j), a vector (n,) is (i, 0)."""
    if value.ndim == 1:
        return [(i, 0) for i in range(value.shape[0])]
    return [(i, j) for i in range(value.shape[0]) for j in range(value.shape[1])]


def entry_of(value: np.ndarray, i: int, j: int) -> float:
    return float(value[i] if value.ndim == 1 else value[i, j])


def wider(cell: str) -> Scenario:
    """A cell with d = 2, H = 3, K = 2 over four steps, many-to-many: sums over units."""
    config = Config(2, 3, 2, "tanh", "identity_mse", "many_to_many", True, 0.1, cell=cell)
    rng = np.random.default_rng(5)
    inputs, targets = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    return Scenario(config, init_params(config, 3), inputs, targets)


def relu_scenario() -> Scenario:
    base = get_preset("hello").scenario
    return Scenario(replace(base.config, activation="relu"), base.params, base.inputs, base.targets)


SCENARIOS = {
    "seed-3-step": lambda: get_preset("seed-3-step").scenario,
    "hello": lambda: get_preset("hello").scenario,
    "vanishing": lambda: get_preset("vanishing").scenario,
    "exploding": lambda: get_preset("exploding").scenario,
    "hello-relu": relu_scenario,
    "gru-update-gate": lambda: get_preset("gru-update-gate").scenario,
    "lstm-remembers": lambda: get_preset("lstm-remembers").scenario,
    "gru-3": lambda: wider("gru"),
    "lstm-3": lambda: wider("lstm"),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_filled_entry_is_the_factors_entry(name: str) -> None:
    run = bptt(SCENARIOS[name]())
    checked = 0
    for record in run.backward:
        for summary in record.terms:
            for k in summary.ks:
                term = term_detail(run, summary.param, k, record.t)
                numbers = {number.name: number.value for number in term.numbers}
                for factor in term.factors:
                    assert factor.entry, f"{factor.symbol} of {term.param}:{k}:{term.t}"
                    for i, j in entries_of(factor.value):
                        shown = filled_entry(factor.entry, factor.value, numbers, i, j)
                        assert shown == pytest.approx(entry_of(factor.value, i, j), rel=1e-12)
                        checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_term_is_diag_row_times_its_last_factor(name: str) -> None:
    """term = diag(r) times the last factor, r the factors before it multiplied (for an LSTM the
    rows of h and of c then added; the GRU's reset gate with its gate factor in r)."""
    run = bptt(SCENARIOS[name]())
    for record in run.backward:
        for summary in record.terms:
            for k in summary.ks:
                term = term_detail(run, summary.param, k, record.t)
                row = term.factors[0].value
                for factor in term.factors[1:-1]:
                    row = row @ factor.value
                np.testing.assert_allclose(row[0], term.row, rtol=1e-12, atol=1e-300)
                last = term.factors[-1].value
                scaled = np.diag(term.row) @ (last if last.ndim == 2 else last[:, None])
                rows = term.value.shape[0]
                summed = scaled.reshape(-1, rows, scaled.shape[1]).sum(axis=0)
                np.testing.assert_allclose(summed.reshape(term.value.shape), term.value)
                np.testing.assert_allclose(term.previous + term.value, term.running)


def test_the_seed_recurrent_factor_reads_as_the_notes_write_it() -> None:
    run = bptt(get_preset("seed-3-step").scenario)
    term = term_detail(run, "W_h", 3, 2)
    recurrent = next(factor for factor in term.factors if factor.kind == "recurrent")
    assert recurrent.entry == (("(1 - [[h_3:i]]^2) [[*]] [[W_h:ij]]",),)
    numbers = {number.name: float(np.ravel(number.value)[0]) for number in term.numbers}
    assert (1 - numbers["h_3"] ** 2) * numbers["W_h"] == pytest.approx(recurrent.value[0, 0])


EPS = 1e-6
CELL_NAMES = ("elman", "gru", "lstm")


def one_step(name: str):
    """A cell's step 3 with d = 2, H = 3 (random weights, input and previous state)."""
    cell = make_cell(name)
    config = Config(2, 3, 1, cell=name)
    p = dict(init_params(config, 4).arrays)
    rng = np.random.default_rng(7)
    x, state = rng.normal(size=2), tuple(rng.uniform(-0.7, 0.7, 3) for _ in cell.states)
    cache = cell.forward(p, x, state)
    numbers = {n.name: n.value for n in cell.entry_numbers(p, cache, 3)}
    return cell, p, x, state, cache, numbers


def state_of(cell, p, x, flat_state: np.ndarray) -> np.ndarray:
    return np.concatenate(cell.forward(p, x, tuple(np.split(flat_state, len(cell.states)))).state)


@pytest.mark.parametrize("name", CELL_NAMES)
def test_the_filled_jacobian_entry_is_the_central_difference(name: str) -> None:
    cell, p, x, state, cache, numbers = one_step(name)
    blocks, s = cell.jacobian_entry(3), np.concatenate(state)
    jacobian = cell.jacobian(p, cache)
    for column in range(s.size):
        bump = np.eye(s.size)[column] * EPS
        numeric = (state_of(cell, p, x, s + bump) - state_of(cell, p, x, s - bump)) / (2 * EPS)
        for row in range(s.size):
            shown = filled_entry(blocks, jacobian, numbers, row, column)
            assert shown == pytest.approx(numeric[row], abs=1e-8), (name, row, column)


@pytest.mark.parametrize("name", CELL_NAMES)
def test_each_filled_direct_entry_is_the_central_difference_of_its_weight(name: str) -> None:
    """Entry (u, j) of d+s_t/dtheta is ds_t[u]/dtheta[u mod H, j] (a gate's row i feeds unit i).
    The GRU's reset gate reaches every unit: its gate factor dh_t/da^r_t has entry (u, i) =
    ds_t[u]/db_r[i], and its last factor d+a^r_t/dtheta the operand in every row."""
    cell, p, x, state, cache, numbers = one_step(name)
    H, checked, s = 3, 0, np.concatenate(state)

    def numeric(bumped: str, where: tuple[int, ...], u: int) -> float:
        change = np.zeros_like(p[bumped])
        change[where] = EPS
        up = state_of(cell, {**p, bumped: p[bumped] + change}, x, s)
        down = state_of(cell, {**p, bumped: p[bumped] - change}, x, s)
        return (up[u] - down[u]) / (2 * EPS)

    for spec in cell.specs():
        direct = cell.direct(spec.name, p, cache)
        if cell.through(spec.name) is None:
            factor, blocks = direct.factor_value(), cell.direct_entry(spec.name, 3)
            for u, j in entries_of(factor):
                where = (u % H, j) if factor.ndim == 2 else (u % H,)
                shown = filled_entry(blocks, factor, numbers, u, j)
                assert shown == pytest.approx(numeric(spec.name, where, u), abs=1e-8), spec.name
                checked += 1
            continue
        gate = cell.gate_entry(spec.name, 3)
        for u, i in entries_of(direct.coef):
            shown = filled_entry(gate, direct.coef, numbers, u, i)
            assert shown == pytest.approx(numeric("b_r", (i,), u), abs=1e-8), spec.name
        operand = np.ones(H) if direct.operand is None else np.tile(direct.operand, (H, 1))
        for i, j in entries_of(operand):
            shown = filled_entry(cell.direct_entry(spec.name, 3), operand, numbers, i, j)
            assert shown == entry_of(operand, i, j)
        checked += 1
    assert checked == sum(
        cell.direct(s.name, p, cache).factor_value().size if cell.through(s.name) is None else 1
        for s in cell.specs()
    )


def test_the_gru_jacobian_names_its_way_through_the_reset_gate() -> None:
    """M_t = W_hh (diag(r_t) + diag(h_{t-1} r_t (1 - r_t)) W_hr), written in its LaTeX."""
    cell, p, _, state, cache, numbers = one_step("gru")
    r = cache.values["r"]
    through_r = np.diag(r) + np.diag(state[0] * r * (1 - r)) @ p["W_hr"]
    np.testing.assert_allclose(numbers["M_3"], p["W_hh"] @ through_r, rtol=1e-12)
    latex = {n.name: n.latex for n in cell.entry_numbers(p, cache, 3)}["M_3"]
    assert r"\operatorname{diag}(r_{3})" in latex and "W_{hr}" in latex


FRAC = re.compile(r"^\\frac\{\\partial(\^\{\+\})? (\S+)\}\{\\partial (\S+)\}$")


def block_of_value(value: np.ndarray, blocks, r: int, c: int) -> np.ndarray:
    """Block (r, c) of a factor's value, its rows and columns split as its labels are."""
    matrix = value if value.ndim == 2 else value[:, None]
    rows, columns = matrix.shape[0] // len(blocks), matrix.shape[1] // len(blocks[0])
    return matrix[r * rows : (r + 1) * rows, c * columns : (c + 1) * columns]


def labelled(factor, top: str, bottom: str) -> np.ndarray:
    """The block of `factor` whose label is d top / d bottom (d+ for a direct partial)."""
    for r, row in enumerate(factor.blocks):
        for c, label in enumerate(row):
            _, numerator, denominator = FRAC.match(label).groups()
            if (numerator, denominator) == (top, bottom):
                return block_of_value(factor.value, factor.blocks, r, c)
    raise AssertionError(f"no block d{top}/d{bottom} in {factor.blocks}")


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_block_is_labelled_by_the_state_parts_the_cell_declares(name: str) -> None:
    """One label per block of templates; one block (the factor itself) for a cell of one state,
    and for the LSTM the parts h, c of s_j by rows and of s_{j-1} by columns."""
    scenario = SCENARIOS[name]()
    run, states = bptt(scenario), make_cell(scenario.config.cell).states
    for record in run.backward:
        for summary in record.terms:
            term = term_detail(run, summary.param, summary.ks[-1], record.t)
            for factor in term.factors:
                assert [len(row) for row in factor.blocks] == [len(row) for row in factor.entry]
                if len(states) == 1:
                    assert factor.blocks == ((factor.latex,),), factor.symbol
                if factor.kind != "recurrent":
                    continue
                j = factor.step
                for r, row in enumerate(factor.blocks):
                    for c, label in enumerate(row):
                        _, top, bottom = FRAC.match(label).groups()
                        assert (top, bottom) == (f"{states[r]}_{{{j}}}", f"{states[c]}_{{{j - 1}}}")


def test_the_lstm_blocks_hold_what_their_labels_say() -> None:
    """dc_j/dc_{j-1} = diag(f_j); the output reads h only (dz/dc = 0, dz/dh = W_y); the output
    gate does not reach c (d+c_t/dW_xo = 0) and the other gates do, and every gate reaches h."""
    run = bptt(SCENARIOS["lstm-3"]())
    checked = set()
    for record in run.backward:
        for summary in record.terms:
            term = term_detail(run, summary.param, summary.ks[-1], record.t)
            numbers = {number.name: number.value for number in term.numbers}
            by_kind = {factor.kind: factor for factor in term.factors}
            if "output" not in by_kind:  # W_y, b_y: the output layer's own two factors
                continue
            output, direct = by_kind["output"], by_kind["direct"]
            if "recurrent" in by_kind:
                j = by_kind["recurrent"].step
                cc = labelled(by_kind["recurrent"], f"c_{{{j}}}", f"c_{{{j - 1}}}")
                np.testing.assert_allclose(cc, np.diag(numbers[f"f_{j}"]), rtol=1e-12)
                checked.add("recurrent")
            k, t, theta = output.step, direct.step, latex_name(term.param)
            assert not labelled(output, f"z_{{{k}}}", f"c_{{{k}}}").any()
            reads_h = labelled(output, f"z_{{{k}}}", f"h_{{{k}}}")
            np.testing.assert_array_equal(reads_h, numbers["W_y"])
            if t == 1:  # h_0 = c_0 = 0: there W_h* and the forget gate reach nothing
                continue
            reaches_c = labelled(direct, f"c_{{{t}}}", theta).any()
            assert reaches_c == (not term.param.endswith("o")), term.param
            assert labelled(direct, f"h_{{{t}}}", theta).any(), term.param
            checked.add(term.param)
    assert {"recurrent", "W_xo", "W_xi", "b_f"} <= checked
