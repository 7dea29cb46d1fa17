"""Fair sharing over HTTP: the 429 with Retry-After, what is limited and what is not, and
the defaults letting a class behind one address in while stopping a flood."""

from __future__ import annotations

from app.api.ratelimit import TokenBuckets
from app.settings import Settings
from tests.api.conftest import SMALL_SCENARIO, MakeClient, create_session


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_creating_past_the_burst_answers_429_with_retry_after(make_client: MakeClient) -> None:
    client = make_client(create_burst=2, create_per_second=0.25)
    for _ in range(2):
        create_session(client, {"preset": "seed-3-step"})
    refused = client.post("/api/sessions", json={"preset": "seed-3-step"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "4"  # one token back at 0.25 per second
    detail = refused.json()["detail"]
    assert "at most 2 at once, then 0.25 per second" in detail
    assert "BPTT_CREATE_BURST" in detail and "BPTT_CREATE_PER_SECOND" in detail
    assert len(client.app.state.store) == 2  # the refused call made nothing


def test_heavy_calls_are_limited_and_steps_are_not(make_client: MakeClient) -> None:
    client = make_client(heavy_burst=2, heavy_per_second=0.5)
    session_id, headers = create_session(client, SMALL_SCENARIO)
    assert client.post("/api/bptt", json=SMALL_SCENARIO).status_code == 200
    trained = client.post(f"/api/sessions/{session_id}/train", json={"epochs": 1}, headers=headers)
    assert trained.status_code == 200
    for url in ("/api/gradcheck", "/api/bptt"):
        refused = client.post(url, json=SMALL_SCENARIO)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
        assert "BPTT_HEAVY_BURST" in refused.json()["detail"]
    refused = client.post(f"/api/sessions/{session_id}/train", json={"epochs": 1}, headers=headers)
    assert refused.status_code == 429
    assert client.get(f"/api/sessions/{session_id}").json()["epoch"] == 2  # nothing changed
    for _ in range(20):
        for command in ("forward",) * 3 + ("backward",) * 3 + ("update",):
            url = f"/api/sessions/{session_id}/{command}"
            assert client.post(url, headers=headers).status_code == 200


def test_the_forwarded_address_counts_only_when_trusted(make_client: MakeClient) -> None:
    for trusted, answers in ((False, [201, 429]), (True, [201, 201])):
        client = make_client(create_burst=1, create_per_second=0.001, trust_forwarded_for=trusted)
        statuses = [
            client.post(
                "/api/sessions",
                json={"preset": "seed-3-step"},
                headers={"X-Forwarded-For": f"10.0.0.9, 192.0.2.{index}"},
            ).status_code
            for index in range(2)
        ]
        assert statuses == answers


def test_openapi_documents_the_429_and_its_retry_after(make_client: MakeClient) -> None:
    paths = make_client().get("/openapi.json").json()["paths"]
    limited = [
        paths["/api/sessions"]["post"],
        paths["/api/sessions/{session_id}/train"]["post"],
        paths["/api/bptt"]["post"],
        paths["/api/gradcheck"]["post"],
    ]
    for operation in limited:
        assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert "429" not in paths["/api/sessions/{session_id}/forward"]["post"]["responses"]


def test_the_defaults_let_a_class_of_300_behind_one_address_in_within_5_s() -> None:
    settings, clock = Settings(), FakeClock()
    buckets = TokenBuckets(settings.create_burst, settings.create_per_second, clock)
    refused = 0
    for student in range(300):  # 300 students pressing "create" over five seconds
        clock.now = student * 5.0 / 300
        refused += buckets.take("school") > 0
    assert refused == 0
    clock.now = 0.0  # and all 300 in the same instant, from another school
    assert all(buckets.take("other school") == 0 for _ in range(300))


def test_the_defaults_stop_a_client_creating_as_fast_as_it_can_within_seconds() -> None:
    settings, clock = Settings(), FakeClock()
    buckets = TokenBuckets(settings.create_burst, settings.create_per_second, clock)
    taken, first_refusal = 0, None
    for attempt in range(3000):  # 1,000 creations a second for three seconds
        clock.now = attempt / 1000
        if buckets.take("flooder") == 0:
            taken += 1
        elif first_refusal is None:
            first_refusal = clock.now
    assert first_refusal is not None and first_refusal < 2.0
    assert taken < settings.max_sessions_per_client  # it filled not even its own share


def test_with_the_defaults_300_sessions_from_one_address_are_made_and_stepped(
    make_client: MakeClient,
) -> None:
    client = make_client()
    made = [create_session(client, {"preset": "seed-3-step"}) for _ in range(300)]
    assert len(client.app.state.store) == 300
    for session_id, headers in made:
        stepped = client.post(f"/api/sessions/{session_id}/forward", headers=headers)
        assert stepped.status_code == 200
