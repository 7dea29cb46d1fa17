"""Each cell's declared derivatives against central differences of its own forward step."""

import numpy as np
import pytest

from app.core.cells import CELLS, make_cell
from app.core.model import Config, init_params

EPS = 1e-6


def _setup(name: str, activation: str = "tanh", d: int = 2, H: int = 3):
    cell = make_cell(name, activation)
    config = Config(d, H, 1, cell=name, activation=activation)
    rng = np.random.default_rng(1)
    params = dict(init_params(config, 4).arrays)
    x = rng.normal(size=d)
    state = tuple(rng.uniform(-0.7, 0.7, H) for _ in cell.states)
    return cell, params, x, state


def _flat(state):
    return np.concatenate(state)


def _split(vector, n):
    return tuple(np.split(vector, n))


CASES = [("elman", f) for f in ("tanh", "sigmoid", "identity")] + [
    ("gru", "tanh"),
    ("lstm", "tanh"),
]


@pytest.mark.parametrize(("name", "activation"), CASES)
def test_jacobian_is_the_derivative_of_the_whole_state_on_the_previous_state(name, activation):
    cell, p, x, state = _setup(name, activation)
    s = _flat(state)
    numeric = np.empty((s.size, s.size))
    for j in range(s.size):
        bump = np.eye(s.size)[j] * EPS
        up = _flat(cell.forward(p, x, _split(s + bump, len(state))).state)
        down = _flat(cell.forward(p, x, _split(s - bump, len(state))).state)
        numeric[:, j] = (up - down) / (2 * EPS)
    np.testing.assert_allclose(cell.jacobian(p, cell.forward(p, x, state)), numeric, atol=1e-8)


@pytest.mark.parametrize(("name", "activation"), CASES)
def test_direct_partial_times_a_row_is_the_derivative_with_the_past_held_fixed(name, activation):
    cell, p, x, state = _setup(name, activation)
    cache = cell.forward(p, x, state)
    row = np.random.default_rng(2).normal(size=_flat(state).size)  # some dl/ds_t
    for spec in cell.specs():
        analytic = cell.direct(spec.name, p, cache).contract(row)
        numeric = np.empty_like(p[spec.name])
        for index in np.ndindex(p[spec.name].shape):
            bumped = {sign: p[spec.name].copy() for sign in (1, -1)}
            for sign in (1, -1):
                bumped[sign][index] += sign * EPS
            up = row @ _flat(cell.forward({**p, spec.name: bumped[1]}, x, state).state)
            down = row @ _flat(cell.forward({**p, spec.name: bumped[-1]}, x, state).state)
            numeric[index] = (up - down) / (2 * EPS)
        np.testing.assert_allclose(analytic, numeric, atol=1e-8, err_msg=spec.name)


@pytest.mark.parametrize(("name", "activation"), CASES)
def test_local_backward_step_is_the_jacobian_transpose_and_the_direct_partials(name, activation):
    cell, p, x, state = _setup(name, activation)
    cache = cell.forward(p, x, state)
    ds = tuple(np.random.default_rng(3).normal(size=(len(state), state[0].size)))
    share, grads, _ = cell.backward(p, cache, ds)
    np.testing.assert_allclose(_flat(share), cell.jacobian(p, cache).T @ _flat(ds), atol=1e-12)
    for spec in cell.specs():
        expected = cell.direct(spec.name, p, cache).contract(_flat(ds))
        np.testing.assert_allclose(grads[spec.name], expected, atol=1e-12, err_msg=spec.name)


def test_every_cell_declares_its_parameters_with_the_issues_names_and_shapes():
    names = {kind.name: tuple(s.name for s in make_cell(kind.name).specs()) for kind in CELLS}
    assert names["elman"] == ("W_x", "W_h", "b")
    assert names["gru"] == ("W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h")
    assert set(names["lstm"]) == {f"{w}{g}" for w in ("W_x", "W_h", "b_") for g in "ifoc"}
    shapes = Config(4, 3, 2, cell="lstm").param_shapes()
    assert (shapes["W_xi"], shapes["W_hc"], shapes["b_o"], shapes["c0"]) == (
        (3, 4),
        (3, 3),
        (3,),
        (3,),
    )
    assert "c0" not in Config(4, 3, 2, cell="gru").param_shapes()
