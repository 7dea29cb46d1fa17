"""Request bodies parsed once, strictly: UTF-8, bounded depth, short numbers, unique keys.

FastAPI's own parse answers a 400 naming nothing for a body that is not UTF-8, holds a
huge integer or is nested thousands deep, lets the last of two equal keys win, and lets a
lone surrogate through to a 500. Here each is a 422 in the usual shape, naming where
(["body", "config", "seed"]) and the rule:

- the bytes must be UTF-8 (RFC 8259), so no lone surrogate, raw or escaped (\\ud800);
- arrays and objects nest at most `max_json_depth` levels (a scenario needs 4);
- a number has at most MAX_DIGITS digits (a float64 never needs more than 17);
- an object names each key once;
- no array is longer than the longest the server's limits allow (T, H, d, K), so
  pydantic never walks a megabyte of numbers to list a megabyte of errors, and no body
  holds more commas or arrays than the largest scenario within them needs (counted
  before the parse);
- where numbers go (inputs, targets, params), a body with more than MAX_ERRORS entries
  that are not numbers is refused naming the first of them, before pydantic (whose
  errors are built in Rust, holding the GIL) would list every one.

The checks before the parse are byte scans in C (a regex search, translate, replace);
only a body that seems to break a rule is parsed a second time, slowly, to say where,
and a body over INLINE_BODY_BYTES is read in a worker thread, off the event loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from app.api.bodycounts import check_numbers, most_items
from app.api.jsonresponse import StrictJSONResponse
from app.settings import Settings

MAX_DIGITS = 100
MAX_TERMS = 100  # BpttIn.terms
INLINE_BODY_BYTES = 32_000  # a body this small is parsed on the event loop (well under 1 ms)
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


def parse_json(raw: bytes, max_depth: int, most: tuple[int, int] | None = None) -> Any:
    """The JSON value of `raw`, or BodyError naming the first rule it breaks."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        rule = f"must be UTF-8: byte {error.start} (0x{raw[error.start]:02x}) is not"
        raise BodyError([], rule, "json_not_utf8") from None
    check_depth(raw, max_depth)
    if most is not None:
        check_items(raw, most, max_depth)
    if LONG_NUMBER.search(raw) or SURROGATE_ESCAPE.search(text):
        return locate(text, max_depth)  # digits in a string are no refusal: locate says
    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except DuplicateKeyError:
        return locate(text, max_depth)
    except json.JSONDecodeError as error:
        raise BodyError([], not_json(error), "json_invalid") from None
    except RecursionError:  # brackets in strings hid the depth from check_depth
        raise BodyError([], deeper_than(max_depth), "json_too_deep") from None


def not_json(error: json.JSONDecodeError) -> str:
    return f"is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"


def check_depth(raw: bytes, max_depth: int) -> None:
    """Arrays and objects nested at most max_depth deep. Brackets inside strings are
    counted too (a fast over-estimate); only a body that seems too deep is counted again
    without its strings."""
    if too_deep(raw, max_depth) and too_deep(STRINGS.sub(b"", raw), max_depth):
        raise BodyError([], deeper_than(max_depth), "json_too_deep")


def check_items(raw: bytes, most: tuple[int, int], max_depth: int) -> None:
    """At most most[0] commas and most[1] arrays, counted in C: no scenario's strings hold
    either, so this bounds its items and the lists a parse would build (a megabyte of
    tiny arrays takes the parser half a second, holding the GIL) before the parse. Too
    many arrays nested too deep (brackets in strings hid it) are named for their depth."""
    for mark, limit, what in ((b",", most[0], "commas"), (b"[", most[1], "arrays")):
        count = raw.count(mark)
        if count > limit:
            if mark == b"[" and too_deep(STRINGS.sub(b"", raw), max_depth):
                raise BodyError([], deeper_than(max_depth), "json_too_deep")
            rule = (
                f"has {count:,} {what}: no scenario within the server's limits needs more "
                f"than {limit:,}"
            )
            raise BodyError([], rule, "too_long")


def too_deep(raw: bytes, max_depth: int) -> bool:
    """Each round drops the innermost pairs of brackets: at most max_depth rounds."""
    brackets = raw.translate(BRACKETS, NOT_BRACKETS)
    for _ in range(max_depth):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return b"[]" in brackets or brackets.count(b"[") > max_depth


def deeper_than(max_depth: int) -> str:
    return f"must nest arrays and objects at most {max_depth} levels deep"


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


def locate(text: str, max_depth: int) -> Any:
    """The slow parse: every number and object checked, the first refusal with its place."""
    try:
        value = json.loads(
            text, parse_int=checked_number, parse_float=checked_number, object_pairs_hook=checked
        )
    except json.JSONDecodeError as error:
        raise BodyError([], not_json(error), "json_invalid") from None
    except RecursionError:
        raise BodyError([], deeper_than(max_depth), "json_too_deep") from None
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


def check_lengths(value: Any, limit: int, loc: tuple[str | int, ...] = ()) -> None:
    """No array longer than `limit`, so pydantic never walks (or lists errors for) more
    than the server's limits allow: a hostile megabyte is refused at its first long array."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, list | dict):
                check_lengths(item, limit, (*loc, key))
    elif isinstance(value, list):
        if len(value) > limit:
            rule = f"must hold at most {limit:,} items (the server's limits), not {len(value):,}"
            raise BodyError(list(loc), rule, "too_long")
        for index, item in enumerate(value):
            if isinstance(item, list | dict):
                check_lengths(item, limit, (*loc, index))


def longest_array(settings: Settings) -> int:
    """The most items any array of a body within the limits holds (T rows, H, d or K
    numbers in a row, at most 100 term ids)."""
    sizes = (settings.max_input_size, settings.max_hidden_size, settings.max_output_size)
    return max(settings.max_steps, *sizes, MAX_TERMS)


def read_body(raw: bytes, settings: Settings) -> Any:
    """The body's JSON, strictly parsed, with no array longer than the limits allow."""
    value = parse_json(raw, settings.max_json_depth, most_items(settings))
    if isinstance(value, dict):
        for name in ("inputs", "targets"):  # T rows: the limit app.api.limits names
            steps = value.get(name)
            if isinstance(steps, list) and len(steps) > settings.max_steps:
                rule = f"must have at most {settings.max_steps} time steps (the server's limit)"
                raise BodyError([name], rule, "too_long")
    check_lengths(value, longest_array(settings))
    if isinstance(value, dict):
        check_numbers(value)
    return value


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
            settings = request.app.state.settings
            if len(raw) > INLINE_BODY_BYTES:  # a big body is read off the event loop
                request._json = await anyio.to_thread.run_sync(read_body, raw, settings)
            elif raw:
                request._json = read_body(raw, settings)  # what request.json() answers
            return await handler(request)

        return strict_handler


async def on_body_error(request: Request, error: Exception) -> StrictJSONResponse:
    assert isinstance(error, BodyError)
    detail = [{"loc": ["body", *error.loc], "msg": error.rule, "type": error.kind}]
    return StrictJSONResponse({"detail": detail}, 422)


def install_body_errors(app: FastAPI) -> None:
    app.add_exception_handler(BodyError, on_body_error)
