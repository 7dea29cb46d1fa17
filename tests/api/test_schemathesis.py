"""The app against its own /openapi.json (schemathesis, in-process over ASGI): every check,
a bounded, derandomised number of examples per operation, and the stateful phase. It must
find nothing: every answer is documented, valid against its schema, and never a 5xx.

One check is left out: positive_data_acceptance (a body the schema allows must not be
refused). The core's rules across fields (inputs of config.input_size numbers, params of
the config's shapes, targets in [0, 1] for a sigmoid) cannot be written in JSON Schema,
so a generated config and inputs almost never agree; such a body answers the documented
422 naming the rule. Its converse, negative_data_rejection, runs.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import create_app
from app.settings import Settings

# Room for every example from the one test client address; small sizes keep runs quick.
APP = create_app(
    Settings(
        create_burst=100_000,
        heavy_burst=100_000,
        max_steps=12,
        max_hidden_size=6,
        max_input_size=3,
        max_output_size=3,
        max_epochs_per_train=5,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@EXAMPLES
def test_every_operation_answers_as_documented(case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


class Workflows(schema.as_state_machine()):
    """Chains of calls linked through the schema (a created session's id, ...)."""

    def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
        case.validate_response(
            response,
            additional_checks=additional_checks,
            excluded_checks=[positive_data_acceptance],
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


TestStatefulAPI = Workflows.TestCase
TestStatefulAPI.settings = settings(
    max_examples=20,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
