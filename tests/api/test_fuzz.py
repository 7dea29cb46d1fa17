"""No body, however odd, gives a 500 or JSON that is not strict."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.main import create_app
from tests.api.conftest import SMALL_SCENARIO, post_raw, strict_json

client = TestClient(create_app(), raise_server_exceptions=False)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
)
leaves = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=5))
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4), max_leaves=12)
fields = st.sampled_from(["config", "params", "inputs", "targets", "seed", "preset", "extra"])
config_fields = st.sampled_from([*SMALL_SCENARIO["config"], "learning_rate", "truncation"])


@st.composite
def bodies(draw: st.DrawFn) -> str:
    body = json.loads(json.dumps(SMALL_SCENARIO))
    if draw(st.booleans()):
        body["config"][draw(config_fields)] = draw(values)
    else:
        body[draw(fields)] = draw(values)
    return json.dumps(body)  # may hold NaN/Infinity tokens, as a careless client might send


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies(), endpoint=st.sampled_from(["/api/bptt", "/api/sessions"]))
def test_odd_bodies_never_give_500_or_loose_json(body: str, endpoint: str) -> None:
    response = post_raw(client, endpoint, body)
    assert response.status_code < 500, response.text
    strict_json(response.text)
