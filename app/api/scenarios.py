"""Request bodies to core Scenarios, within the server's limits."""

from __future__ import annotations

from dataclasses import dataclass

from app.api.limits import check_sizes
from app.api.schemas import ConfigIn, ParamsIn, ScenarioIn, SessionIn
from app.core import Config, Params, Scenario, ScenarioError, get_preset, init_params, list_presets
from app.core.optimizers import make_optimizer
from app.settings import Settings


@dataclass(frozen=True)
class Built:
    """A checked scenario and where it came from."""

    scenario: Scenario
    seed: int
    preset: str | None = None


def build_config(config: ConfigIn) -> Config:
    """The core Config; the optimiser from its API form ({"name": ..., hyper-parameters})."""
    values = config.model_dump()
    try:
        optimizer = make_optimizer(config.optimizer.model_dump(exclude_none=True))
        return Config(**{**values, "optimizer": optimizer})
    except ScenarioError as error:
        raise ScenarioError(f"config.{error.field}", error.rule) from error


def build_params(config: Config, params: ParamsIn | None, seed: int) -> Params:
    if params is None:
        return init_params(config, seed)
    values = dict(params.model_dump(exclude_none=True))
    if "b_y" in values and not config.output_bias:
        raise ScenarioError("params.b_y", "must be left out when config.output_bias is false")
    return Params.from_dict(config, values)


def build_scenario(body: ScenarioIn, settings: Settings) -> Built:
    """The core Scenario for a request body; ScenarioError names the field and the rule."""
    config = build_config(body.config)
    check_sizes(config, len(body.inputs), settings)
    params = build_params(config, body.params, body.seed)
    scenario = Scenario(config, params, body.inputs, body.targets)
    return Built(scenario, body.seed)


def build_session_scenario(body: SessionIn, settings: Settings) -> Built:
    """A preset by id, or a scenario spelt out as for /api/bptt."""
    if body.preset is None:
        for name in ("config", "inputs", "targets"):
            if getattr(body, name) is None:
                raise ScenarioError(name, "is required unless a preset is given")
        fields = body.model_dump(exclude={"preset"}, exclude_none=True)
        return build_scenario(ScenarioIn.model_validate(fields), settings)
    for name in ("config", "params", "inputs", "targets", "seed"):
        if getattr(body, name) is not None:
            raise ScenarioError(name, "must be left out when a preset is given")
    preset = get_preset(body.preset)
    if preset is None:
        ids = ", ".join(p.id for p in list_presets())
        raise ScenarioError("preset", f"must be one of {ids}")
    check_sizes(preset.scenario.config, preset.scenario.T, settings)
    return Built(preset.scenario, preset.seed, preset.id)
