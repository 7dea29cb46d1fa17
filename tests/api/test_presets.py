import math
import re

from fastapi.testclient import TestClient

from app.core import list_presets
from tests.api.conftest import create_session


def test_presets_list_every_core_preset_with_its_scenario(client: TestClient) -> None:
    response = client.get("/api/presets")
    assert response.status_code == 200
    presets = {preset["id"]: preset for preset in response.json()}
    assert list(presets) == [preset.id for preset in list_presets()]
    seed = presets["seed-3-step"]
    assert seed["T"] == 3
    assert seed["config"]["mode"] == "many_to_one"
    assert seed["config"]["output_bias"] is False
    assert seed["params"]["W_h"] == [[0.8]]
    assert seed["inputs"] == [[1.0], [0.5], [-0.5]]
    assert seed["targets"] == [1.0]
    assert all(preset["title"] and preset["description"] for preset in presets.values())


def test_every_preset_makes_a_session(client: TestClient) -> None:
    for preset in client.get("/api/presets").json():
        response = client.post("/api/sessions", json={"preset": preset["id"]})
        assert response.status_code == 201, preset["id"]
        assert response.json()["T"] == preset["T"]


def described(description: str, pattern: str) -> float:
    """The number the description gives where `pattern` (one group) matches."""
    found = re.search(pattern, description)
    assert found, pattern
    return float(found.group(1))


def test_the_vanishing_description_gives_the_numbers_the_gauge_measures(
    client: TestClient,
) -> None:
    presets = {preset["id"]: preset for preset in client.get("/api/presets").json()}
    description = presets["vanishing"]["description"]
    sid, headers = create_session(client, {"preset": "vanishing"})
    T = presets["vanishing"]["T"]
    for step in ("forward", "backward"):
        for _ in range(T):
            assert client.post(f"/api/sessions/{sid}/{step}", headers=headers).status_code == 200
    flow = client.get(f"/api/sessions/{sid}/flow").json()
    gauge = flow["gauge"]
    assert flow["complete"] and gauge["matrix"] == "W_h"
    # The weights' spectral radius and the measured product's rate per step, as written.
    radius = described(description, r"W_h's spectral radius is (\d\.\d+)")
    rate = described(description, r"by a factor of (\d\.\d+) per step")
    assert radius == round(gauge["spectral_radius"], 2)
    assert rate == round(gauge["rate"], 2)
    # The term reaching t = 1 against the one at t = 20, to the power of ten written.
    power = described(description, r"about 10\^(-?\d+) of the term at t = ")
    sizes = flow["sizes"][0]
    assert power == round(math.log10(sizes[0] / sizes[-1]))
