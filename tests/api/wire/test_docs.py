"""docs/json.md's field tables are the response models' fields: generated, never stale."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api import schemas
from app.api.wire.base import Array, Vector
from app.api.wire.docs import JSON_MD, documented_models, generated, named_in_blocks, type_text


def test_docs_json_md_is_what_the_models_generate() -> None:
    text = JSON_MD.read_text(encoding="utf-8")
    assert generated(text) == text, "docs/json.md is stale: run python -m app.api.wire.docs"


def test_a_table_edited_by_hand_is_regenerated() -> None:
    text = JSON_MD.read_text(encoding="utf-8")
    row = "| `t` | `int` | The time step, 1..T. |\n"
    assert row in text
    assert generated(text.replace(row, "")) == text
    assert generated(text.replace(row, row.replace("1..T", "0..T"))) == text


def test_every_model_of_an_answer_has_one_table(client: TestClient) -> None:
    named = named_in_blocks(JSON_MD.read_text(encoding="utf-8"))
    assert sorted(named) == sorted(set(named)) == sorted(documented_models())
    components = set(client.get("/openapi.json").json()["components"]["schemas"])
    requests = {name for name, value in vars(schemas).items() if isinstance(value, type)}
    assert components - requests <= set(named)


def test_a_table_writes_the_types_a_client_reads() -> None:
    assert type_text(Vector) == "vector"
    assert type_text(Array | None) == "array | null"
    assert type_text(dict[str, list[int]]) == "{str: [int]}"
