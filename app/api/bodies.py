"""Request bodies parsed once, strictly: UTF-8, bounded depth, short numbers, unique keys.

FastAPI's own parse answers a 400 naming nothing for a body that is not UTF-8, holds a
huge integer or is nested thousands deep, lets the last of two equal keys win, and lets a
lone surrogate through to a 500. Here each is a 422 in the usual shape, naming where
(["body", "config", "seed"]) and the rule:

- the bytes must be UTF-8 (RFC 8259), so no lone surrogate, raw or escaped (\\ud800);
- arrays and objects nest at most `max_json_depth` levels (a scenario needs 4);
- a number has at most MAX_DIGITS digits (a float64 never needs more than 17);
- an object names each key once.

The checks before the parse are byte scans in C (a regex, translate, replace), so a
hostile megabyte costs milliseconds; only a body that breaks a rule is parsed a second
time, slowly, to say where.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from app.api.jsonresponse import StrictJSONResponse

MAX_DIGITS = 100
STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
LONG_NUMBER = re.compile(rb"[0-9]{%d}" % (MAX_DIGITS + 1))
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
BRACKETS = bytes.maketrans(b"{}", b"[]")
NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


class BodyError(Exception):
    """A body the server will not read: where (after "body") and the rule, in words."""

    def __init__(self, loc: list[str | int], rule: str, kind: str) -> None:
        super().__init__(rule)
        self.loc, self.rule, self.kind = loc, rule, kind


def parse_json(raw: bytes, max_depth: int) -> Any:
    """The JSON value of `raw`, or BodyError naming the first rule it breaks."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        rule = f"must be UTF-8: byte {error.start} (0x{raw[error.start]:02x}) is not"
        raise BodyError([], rule, "json_not_utf8") from None
    check_depth(raw, max_depth)
    if LONG_NUMBER.search(STRINGS.sub(b"", raw)) or SURROGATE_ESCAPE.search(text):
        return locate(text)
    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except DuplicateKeyError:
        return locate(text)
    except json.JSONDecodeError as error:
        raise BodyError([], not_json(error), "json_invalid") from None


def not_json(error: json.JSONDecodeError) -> str:
    return f"is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"


def check_depth(raw: bytes, max_depth: int) -> None:
    """Arrays and objects nested at most max_depth deep: each round drops the innermost."""
    brackets = STRINGS.sub(b"", raw).translate(BRACKETS, NOT_BRACKETS)
    for _ in range(max_depth):
        if not brackets:
            return
        brackets = brackets.replace(b"[]", b"")
    if b"[]" in brackets or brackets.count(b"[") > max_depth:
        rule = f"must nest arrays and objects at most {max_depth} levels deep"
        raise BodyError([], rule, "json_too_deep")


class DuplicateKeyError(Exception):
    pass


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        raise DuplicateKeyError
    return value


class Refusal:
    """A broken rule met while parsing, carried up to the top to learn where it is."""

    def __init__(self, rule: str, kind: str, loc: list[str | int] | None = None) -> None:
        self.rule, self.kind, self.loc = rule, kind, loc or []


def locate(text: str) -> Any:
    """The slow parse: every number and object checked, the first refusal with its place."""
    try:
        value = json.loads(
            text, parse_int=checked_number, parse_float=checked_number, object_pairs_hook=checked
        )
    except json.JSONDecodeError as error:
        raise BodyError([], not_json(error), "json_invalid") from None
    found = find_refusal(value)
    if found is not None:
        raise BodyError(found.loc, found.rule, found.kind)
    return value


def checked_number(token: str) -> Any:
    digits = sum(character.isdigit() for character in token)
    if digits > MAX_DIGITS:
        return Refusal(f"must have at most {MAX_DIGITS} digits (it has {digits:,})", "json_number")
    return float(token) if any(mark in token for mark in ".eE") else int(token)


def checked(pairs: list[tuple[str, Any]]) -> Any:
    """An object: a repeated key, a lone surrogate, or a refusal inside, else a dict."""
    seen: set[str] = set()
    for key, item in pairs:
        if find_refusal(key) is not None:
            return Refusal("keys must not hold a lone surrogate (\\ud800-\\udfff)", "json_not_utf8")
        if key in seen:
            return Refusal("is given twice: name each key once", "json_duplicate_key", [key])
        seen.add(key)
        found = find_refusal(item)
        if found is not None:
            found.loc.insert(0, key)
            return found
    return dict(pairs)


def find_refusal(value: Any) -> Refusal | None:
    """The refusal in `value` (objects are already checked: only lists and strings here)."""
    if isinstance(value, Refusal):
        return value
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return Refusal("must not hold a lone surrogate (\\ud800-\\udfff)", "json_not_utf8")
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = find_refusal(item)
            if found is not None:
                found.loc.insert(0, index)
                return found
    return None


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class StrictBodyRoute(APIRoute):
    """A route whose JSON body is parsed by parse_json before FastAPI reads it."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def strict_handler(request: Request) -> Response:
            try:
                raw = await request.body()
            except ClientDisconnect:  # gone, or cut off by RequestGuard (which answered)
                return Response(status_code=400)
            if raw:
                max_depth = request.app.state.settings.max_json_depth
                request._json = parse_json(raw, max_depth)  # what request.json() answers
            return await handler(request)

        return strict_handler


async def on_body_error(request: Request, error: Exception) -> StrictJSONResponse:
    assert isinstance(error, BodyError)
    detail = [{"loc": ["body", *error.loc], "msg": error.rule, "type": error.kind}]
    return StrictJSONResponse({"detail": detail}, 422)


def install_body_errors(app: FastAPI) -> None:
    app.add_exception_handler(BodyError, on_body_error)
