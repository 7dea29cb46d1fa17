"""What every optimiser shares: its API form, its defaults, its refusals, and a pure step."""

import math

import numpy as np
import pytest

from app.core.errors import ScenarioError
from app.core.optimizers import make_optimizer, optimizer_dict, optimizer_names
from tests.core.optimizers.updates import SHAPES, quantity, random_run, run_optimizer

NAMES = ("sgd", "momentum", "adagrad", "rmsprop", "adam")


def test_the_five_optimisers_of_the_issue_are_offered():
    assert set(optimizer_names()) == set(NAMES)


def test_a_spec_without_a_name_is_plain_sgd():
    assert optimizer_dict(make_optimizer({})) == {"name": "sgd"}


@pytest.mark.parametrize(
    ("name", "defaults"),
    [
        ("sgd", {}),
        ("momentum", {"momentum": 0.9}),
        ("adagrad", {"eps": 1e-10}),
        ("rmsprop", {"rho": 0.99, "eps": 1e-8}),
        ("adam", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    ],
)
def test_defaults_are_the_issues(name, defaults):
    assert optimizer_dict(make_optimizer({"name": name})) == {"name": name, **defaults}


@pytest.mark.parametrize(
    "spec",
    [
        {"name": "sgd"},
        {"name": "momentum", "momentum": 0.5},
        {"name": "momentum", "momentum": 0},
        {"name": "adagrad", "eps": 1e-3},
        {"name": "rmsprop", "rho": 0.9},
        {"name": "rmsprop", "rho": 0.5, "eps": 0.25},
        {"name": "adam", "beta2": 0.99},
        {"name": "adam", "beta1": 0.0, "beta2": 0.5, "eps": 1e-6},
    ],
)
def test_the_api_form_round_trips(spec):
    optimizer = make_optimizer(spec)
    form = optimizer_dict(optimizer)
    # every key given comes back with its value, the others at their defaults
    assert {key: form[key] for key in spec} == spec
    assert make_optimizer(form) == optimizer
    assert optimizer_dict(make_optimizer(form)) == form
    # numbers given as integers come back as floats, so the JSON form is one type per field
    assert all(isinstance(value, float) for key, value in form.items() if key != "name")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"name": "nesterov"}, "optimizer.name"),
        ({"name": 3}, "optimizer.name"),
        ({"name": "sgd", "momentum": 0.9}, "optimizer.momentum"),
        ({"name": "adam", "lr": 0.1}, "optimizer.lr"),
        ({"name": "momentum", "momentum": 1.0}, "optimizer.momentum"),
        ({"name": "momentum", "momentum": -0.1}, "optimizer.momentum"),
        ({"name": "momentum", "momentum": "0.9"}, "optimizer.momentum"),
        ({"name": "momentum", "momentum": True}, "optimizer.momentum"),
        ({"name": "momentum", "momentum": None}, "optimizer.momentum"),
        ({"name": "adagrad", "eps": 0.0}, "optimizer.eps"),
        ({"name": "adagrad", "eps": -1e-10}, "optimizer.eps"),
        ({"name": "adagrad", "eps": math.inf}, "optimizer.eps"),
        ({"name": "rmsprop", "rho": 1.0}, "optimizer.rho"),
        ({"name": "rmsprop", "rho": math.nan}, "optimizer.rho"),
        ({"name": "rmsprop", "eps": 0}, "optimizer.eps"),
        ({"name": "adam", "beta1": 1.0}, "optimizer.beta1"),
        ({"name": "adam", "beta1": -0.5}, "optimizer.beta1"),
        ({"name": "adam", "beta2": 1.5}, "optimizer.beta2"),
        ({"name": "adam", "beta2": [0.999]}, "optimizer.beta2"),
        ({"name": "adam", "eps": -math.inf}, "optimizer.eps"),
    ],
)
def test_a_bad_hyper_parameter_is_refused_naming_its_field(spec, field):
    with pytest.raises(ScenarioError) as refused:
        make_optimizer(spec)
    assert refused.value.field == field
    assert refused.value.rule  # and says which rule


@pytest.mark.parametrize("name", NAMES)
def test_the_state_before_the_first_update_is_zeros_and_n_zero(name):
    params, _ = random_run(seed=7, updates=0)
    state = make_optimizer({"name": name}).init_state(params)
    assert state.n == 0
    for slot in state.slots.values():
        assert set(slot) == set(SHAPES)
        for param_name, value in slot.items():
            assert value.shape == SHAPES[param_name]
            assert value.dtype == np.float64
            assert not value.any()


@pytest.mark.parametrize("name", NAMES)
def test_a_step_changes_none_of_its_inputs_and_shares_no_state_array(name):
    optimizer = make_optimizer({"name": name})
    params, grads_seq = random_run(seed=8, updates=3)
    first = run_optimizer(optimizer, params, grads_seq[:2], 0.1)[-1]
    copies = [
        {k: v.copy() for k, v in arrays.items()}
        for arrays in (first.params, grads_seq[2], *first.state.slots.values())
    ]
    second = optimizer.step(first.params, grads_seq[2], first.state, 0.1)
    for arrays, copy in zip(
        (first.params, grads_seq[2], *first.state.slots.values()), copies, strict=True
    ):
        for k in copy:
            assert (arrays[k] == copy[k]).all()
    for slot, arrays in second.state.slots.items():
        for k, value in arrays.items():
            assert value is not first.state.slots[slot][k]
    assert first.state.n == 2 and second.state.n == 3


@pytest.mark.parametrize("name", ["momentum", "adagrad", "rmsprop", "adam"])
def test_delta_is_the_change_applied_and_every_state_slot_is_a_named_quantity(name):
    params, grads_seq = random_run(seed=9, updates=2)
    step = run_optimizer(make_optimizer({"name": name}), params, grads_seq, 0.1)[-1]
    before = run_optimizer(make_optimizer({"name": name}), params, grads_seq[:1], 0.1)[-1]
    for param_name in SHAPES:
        delta = quantity(step, "delta")[param_name]
        np.testing.assert_allclose(
            before.params[param_name] + delta, step.params[param_name], rtol=1e-15, atol=1e-16
        )
        assert (quantity(step, "g")[param_name] == grads_seq[1][param_name]).all()
    for slot, arrays in step.state.slots.items():
        for param_name, value in arrays.items():
            assert (quantity(step, slot)[param_name] == value).all()


@pytest.mark.parametrize("name", NAMES)
def test_the_formula_writes_every_quantity_it_computes(name):
    """So a page can typeset the rule and put each quantity's numbers beside its symbol."""
    optimizer = make_optimizer({"name": name})
    params, grads_seq = random_run(seed=10, updates=1)
    step = run_optimizer(optimizer, params, grads_seq, 0.1)[0]
    formula = " ".join(optimizer.formula)
    assert r"\theta \leftarrow" in optimizer.formula[-1]
    names = [q.name for q in step.quantities]
    assert len(names) == len(set(names)) and names[0] == "g"
    for q in step.quantities:
        if q.name != "delta":
            assert q.latex in formula, f"{q.latex} is not in {name}'s formula"
