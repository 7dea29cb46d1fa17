"""The benchmark's output: the machine it ran on, and a Markdown table of times and ratios."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.cases import Result

# (column, numerator, denominator, target, the ratio must be at most the target)
RATIOS = (
    ("train/base ≤ 1.3", "train", "base", 1.3, True),
    ("step/base ≤ 3", "step", "base", 3.0, True),
    ("torch/train ≥ 4", "torch", "train", 4.0, False),
)
GRAD_TOLERANCE = 1e-10


def machine_lines(use_torch: bool) -> list[str]:
    """When and where: date, cores, processor, Python, NumPy and torch versions."""
    if use_torch:
        import torch

        torch_version = f"torch {torch.__version__} (1 thread)"
    else:
        torch_version = "torch not used"
    return [
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {os.cpu_count()} cores, {_processor()}, {platform.system()}",
        f"Python {platform.python_version()}, NumPy {np.__version__} "
        f"(BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}), {torch_version}",
    ]


def _processor() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown processor"


def milliseconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    ms = seconds * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def ratio_cell(result: Result, numerator: str, denominator: str, target: float, most: bool):
    """'1.1' or '25.3 ✗' (a miss), or '—'; and whether it missed."""
    top, bottom = result.timings.get(numerator), result.timings.get(denominator)
    if top is None or bottom is None or top.seconds is None or bottom.seconds is None:
        return "—", False
    ratio = top.seconds / bottom.seconds
    missed = ratio > target if most else ratio < target
    text = f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.1g}"
    return (f"{text} ✗" if missed else text), missed


def grad_cell(result: Result) -> tuple[str, bool]:
    """The largest relative error against the baseline; says so when only torch was compared."""
    if result.grad_error is None:
        return "unchecked", False
    missed = not result.grad_error <= GRAD_TOLERANCE
    text = f"{result.grad_error:.0e}{' ✗' if missed else ''}"
    if not set(result.checked) & {"train", "step"}:
        text += " (torch only)"
    return text, missed


def table(results: list[Result], use_torch: bool) -> list[str]:
    """The Markdown table, then the notes (what was skipped) and a count of the misses."""
    paths = ("base", "train", "step", "torch") if use_torch else ("base", "train", "step")
    ratios = RATIOS if use_torch else RATIOS[:2]
    header = ["cell", "mode", "d, H, T", *(f"{path} ms" for path in paths)]
    header += [column for column, *_ in ratios] + ["grad err"]
    rows, notes, misses, compared = [header], [], 0, 0
    for result in results:
        case = result.case
        row = [case.cell, case.mode, f"{case.d}, {case.H}, {case.T}"]
        row += [milliseconds(result.timings[path].seconds) for path in paths]
        for _, *spec in ratios:
            text, missed = ratio_cell(result, *spec)
            row.append(text)
            misses, compared = misses + missed, compared + (text != "—")
        text, missed = grad_cell(result)
        row.append(text)
        misses += missed
        rows.append(row)
        notes += [
            f"- {case.label}: {path} {timing.note}"
            for path, timing in result.timings.items()
            if timing.note
        ]
    lines = _markdown(rows)
    lines += ["", *notes] if notes else []
    lines += ["", f"misses (✗): {misses}; ratios measured: {compared}"]
    lines += [f"gradients compared with the baseline to {GRAD_TOLERANCE:.0e} relative error"]
    return lines


def _markdown(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [_line(row, widths) for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return lines


def _line(row: list[str], widths: list[int]) -> str:
    cells = [
        c.ljust(w) if i < 2 else c.rjust(w)
        for i, (c, w) in enumerate(zip(row, widths, strict=True))
    ]
    return "| " + " | ".join(cells) + " |"
