"""The recurrent cells, one module each, behind the interface of base.py.

`make_cell("gru")` gives the cell a config names; `CELLS` lists them (the first is the
default). Everything else (the stepper, the terms, the graph, the gradient check) asks
the cell, so adding a cell means adding a module here.
"""

from __future__ import annotations

from app.core.cells.base import Cell, Direct, ParamSpec, State, StepCache
from app.core.cells.elman import Elman
from app.core.cells.gru import GRU
from app.core.cells.lstm import LSTM

CELLS: tuple[type, ...] = (Elman, GRU, LSTM)
CELL_NAMES = tuple(kind.name for kind in CELLS)


def make_cell(name: str, activation: str = "tanh") -> Cell:
    """The cell called `name`; only Elman takes an activation."""
    kind = next(kind for kind in CELLS if kind.name == name)
    return Elman(activation) if kind is Elman else kind()


__all__ = ["CELLS", "CELL_NAMES", "Cell", "Direct", "ParamSpec", "State", "StepCache", "make_cell"]
