"""What the page is given to write any cell's forward step and offer any optimiser: the
cell's step templates resolve, with a real forward record, to numbers that recompute the
step; the editor's choices are the core's cells and optimisers with their defaults."""

from __future__ import annotations

import json
import re
from dataclasses import fields

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.core.cells import CELL_NAMES
from app.core.functions import sigmoid
from app.core.optimizers import OPTIMIZERS
from tests.api.conftest import SMALL_SCENARIO, create_session

PLACEHOLDER = re.compile(r"\[\[(\w+|\*)\]\]")


def with_config(**changes: object) -> dict:
    return {**SMALL_SCENARIO, "config": {**SMALL_SCENARIO["config"], **changes}}


def as_python(template: str) -> str:
    """A template's numbers line as Python over NumPy arrays named by its placeholders."""
    text = template.replace(r"\sigma", "sigmoid").replace(r"\tanh", "np.tanh")
    text = text.replace(r"\odot", "*").replace("[[*]]", "@")
    return PLACEHOLDER.sub(lambda m: f"v['{m.group(1)}']", text)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_step_line_recomputes_its_result_from_the_numbers_it_names(
    client: TestClient, cell: str
) -> None:
    session_id, headers = create_session(client, with_config(cell=cell))
    state = client.get(f"/api/sessions/{session_id}").json()
    declared = state["cell"]
    record = client.post(f"/api/sessions/{session_id}/forward", headers=headers).json()
    values = {name: np.array(value) for name, value in state["params"].items()}
    for key in ("x", *(f"{s}_prev" for s in declared["states"]), *declared["states"]):
        values[key] = np.array(record[key])
    values |= {name: np.array(value) for name, value in record["values"].items()}
    assert declared["step"][-1]["result"] == "h"
    for line in declared["step"]:
        names = set(PLACEHOLDER.findall(line["rhs"] + line["via"])) - {"*"}
        assert names <= values.keys(), names - values.keys()
        assert names <= declared["symbols"].keys()
        assert line["lhs"] == declared["symbols"][line["result"]]
        scope = {"np": np, "sigmoid": sigmoid, "v": values}
        for template in filter(None, (line["rhs"], line["via"])):
            computed = eval(as_python(template), scope)  # the line, read as NumPy
            np.testing.assert_allclose(computed, values[line["result"]], rtol=1e-12, atol=1e-15)


def test_the_page_embeds_the_cells_and_optimisers_with_their_defaults(client: TestClient) -> None:
    html = client.get("/").text
    found = re.search(r'<script type="application/json" id="choices">(.*?)</script>', html, re.S)
    assert found is not None
    choices = json.loads(found.group(1))
    assert choices["cells"] == list(CELL_NAMES)
    assert choices["optimizers"] == [
        {"name": kind.name, "fields": {f.name: f.default for f in fields(kind)}}
        for kind in OPTIMIZERS
    ]
    adam = next(o for o in choices["optimizers"] if o["name"] == "adam")
    assert adam["fields"] == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
