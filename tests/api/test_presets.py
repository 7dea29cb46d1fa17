from fastapi.testclient import TestClient

from app.core import list_presets


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
