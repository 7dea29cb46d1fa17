"""docs/json.md's field tables, generated from the response models.

    python -m app.api.wire.docs           rewrite the tables in docs/json.md
    python -m app.api.wire.docs --check   exit 1 if docs/json.md is stale

The prose of docs/json.md is written by hand; between `<!-- fields: Model ... -->` and
`<!-- end fields -->` each named model gets a table of its fields with their
descriptions (a model built on another lists only what it adds or changes).
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path as FilePath
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from app.api import wire
from app.api.openapi import BrokenRule, ErrorDetail, ValidationErrors
from app.api.wire.base import Array, Matrix, Vector

JSON_MD = FilePath(__file__).resolve().parents[3] / "docs" / "json.md"
BLOCK = re.compile(r"(<!-- fields: ([\w ]+) -->\n).*?(<!-- end fields -->)", re.DOTALL)
ALIASES = (("array", Array), ("matrix", Matrix), ("vector", Vector))


def documented_models() -> dict[str, type[BaseModel]]:
    """Every model an answer is made of: app.api.wire's and the error shapes."""
    models = {
        name: value
        for name, value in vars(wire).items()
        if isinstance(value, type) and issubclass(value, wire.Wire) and value is not wire.Wire
    }
    return models | {model.__name__: model for model in (ErrorDetail, BrokenRule, ValidationErrors)}


def type_text(annotation: Any) -> str:
    """A field's type as docs/json.md writes it: `vector | null`, `{str: matrix}`, ..."""
    for name, alias in ALIASES:
        if annotation == alias:
            return name
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        parts, rest = [], list(args)
        for name, alias in ALIASES:
            alias_args = get_args(alias) or (alias,)
            if len(alias_args) > 1 and set(alias_args) <= set(rest):
                parts.append(name)
                rest = [arg for arg in rest if arg not in alias_args]
        return " | ".join(parts + [type_text(arg) for arg in rest])
    if origin is Literal:
        return " | ".join(f'"{arg}"' for arg in args)
    if origin is list:
        return f"[{type_text(args[0])}]"
    if origin is dict:
        return f"{{{type_text(args[0])}: {type_text(args[1])}}}"
    if annotation is type(None):
        return "null"
    return {Any: "any"}.get(annotation, getattr(annotation, "__name__", str(annotation)))


def documented_base(model: type[BaseModel]) -> type[BaseModel] | None:
    base = model.__mro__[1]
    return base if base.__name__ in documented_models() else None


def same_field(inherited: FieldInfo, field: FieldInfo) -> bool:
    return (inherited.annotation, inherited.description, inherited.is_required()) == (
        field.annotation,
        field.description,
        field.is_required(),
    )


def model_table(model: type[BaseModel]) -> str:
    """The model's description, and a row per field (its own, if built on another model)."""
    base = documented_base(model)
    inherited = base.model_fields if base is not None else {}
    doc = " ".join((model.__doc__ or "").split())
    lead = f"The fields of {base.__name__}; added or changed:" if base is not None else "Fields:"
    rows = ["| field | type | what it holds |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        if name in inherited and same_field(inherited[name], field):
            continue
        kind = type_text(field.annotation).replace("|", "\\|")
        absent = "" if field.is_required() else " (may be absent)"
        text = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{name}` | `{kind}`{absent} | {text} |")
    return f"**{model.__name__}**: {doc} {lead}\n\n" + "\n".join(rows) + "\n"


def generated(text: str) -> str:
    """`text` (docs/json.md) with every fields block rewritten from the models."""
    models = documented_models()

    def block(match: re.Match[str]) -> str:
        tables = [model_table(models[name]) for name in match.group(2).split()]
        return match.group(1) + "\n" + "\n".join(tables) + "\n" + match.group(3)

    return BLOCK.sub(block, text)


def named_in_blocks(text: str) -> list[str]:
    return [name for match in BLOCK.finditer(text) for name in match.group(2).split()]


def main(argv: list[str]) -> int:
    text = JSON_MD.read_text(encoding="utf-8")
    fresh = generated(text)
    if "--check" in argv:
        if fresh != text:
            print(f"{JSON_MD} is stale: run python -m app.api.wire.docs", file=sys.stderr)
            return 1
        return 0
    JSON_MD.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
