"""Analytic gradients agree with central differences, over every option of the model."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from app.core.epochs import bptt
from app.core.gradcheck import TOLERANCE, entry_errors, gradcheck
from app.core.model import Scenario
from app.core.presets import get_preset
from app.core.regime import written
from tests.core.strategies import scenarios


def _far_from_relu_kinks(scenario: Scenario) -> bool:
    """Central differences across relu's kink at a = 0 are not derivatives."""
    if scenario.config.activation != "relu":
        return True
    pre_activations = np.concatenate([record.a for record in bptt(scenario).forward])
    return bool(np.min(np.abs(pre_activations)) > 1e-2)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_analytic_gradient_matches_central_differences(scenario):
    assume(_far_from_relu_kinks(scenario))

    check = gradcheck(scenario)

    assert set(check.params) == set(scenario.config.param_names)
    for name, param in check.params.items():
        assert param.relative_error < TOLERANCE, (name, param.analytic, param.numeric)


def test_check_compares_against_the_raw_gradient_not_the_clipped_one():
    preset = get_preset("exploding").scenario
    config = replace(preset.config, clip_norm=1.0)
    scenario = Scenario(config, preset.params, preset.inputs[:6], preset.targets[:6])

    check = gradcheck(scenario)

    assert check.passed
    raw_norm = np.sqrt(sum(np.sum(p.analytic**2) for p in check.params.values()))
    assert raw_norm > 100 * config.clip_norm


def test_truncated_gradient_is_checked_against_the_kept_terms_only():
    preset = get_preset("sine-next-value").scenario
    config = replace(preset.config, truncation=2)
    truncated = Scenario(config, preset.params, preset.inputs, preset.targets)

    check = gradcheck(truncated)

    assert check.passed
    full = bptt(preset).backward[-1].grads["W_h"]
    assert not np.allclose(check.params["W_h"].numeric, full, rtol=1e-3)


def test_entry_errors_are_each_entrys_relative_error_against_the_floor():
    check = gradcheck(get_preset("hello").scenario)
    assert check.floor > 0
    for param in check.params.values():
        errors = entry_errors(param, check.floor)
        for index in np.ndindex(param.analytic.shape):
            a, n = param.analytic[index], param.numeric[index]
            assert errors[index] == abs(a - n) / max(abs(a), abs(n), check.floor)
        assert errors.max() < 1e-6


def test_where_the_pass_explodes_the_tolerance_is_the_rounding_bound_and_says_so():
    """The exploding preset sits at its fixed point: L is small but a rounding error at one
    step grows by |prod J| = 2.5^29 by the last, so no float64 gradient is good to 1e-6. The
    check states the bound T * A * 2.2e-16 as its tolerance, shrinks eps, and passes."""
    scenario = get_preset("exploding").scenario
    check = gradcheck(scenario)
    W_h = scenario.params.W_h
    assert check.amplification == pytest.approx(np.linalg.norm(W_h, 2) ** (scenario.T - 1))
    bound = scenario.T * check.amplification * np.finfo(np.float64).eps
    assert check.tolerance == pytest.approx(bound) and check.tolerance > TOLERANCE
    assert check.eps < 1e-4 and check.passed
    assert check.max_relative_error > TOLERANCE  # 1e-6 is out of float64's reach here
    assert "2.2×10⁻¹⁶" in check.note and written(check.tolerance) in check.note
    calm = gradcheck(get_preset("vanishing").scenario)  # products below 1: nothing changes
    assert calm.tolerance == TOLERANCE and calm.eps == 1e-4 and calm.note == ""
