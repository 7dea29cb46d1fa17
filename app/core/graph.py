"""The unrolled graph as data, with stable ids (DESIGN.md section 4).

Node ids: x_t (t = 1..T), h_t (t = 0..T), yhat_k and loss_k (k in S), L, and the
shared parameters W_x, W_h, b, W_y, b_y. An edge's id is "source->target".
The page lays these out and lights the ids that a step or a term names.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.model import Config


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # input | hidden | output | loss | total_loss | param
    t: int | None
    label: str


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    kind: str  # input | recurrent | output | loss | sum | param


@dataclass(frozen=True)
class Graph:
    T: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class Path:
    """Ids to light: the nodes and edges a step or a chain-rule term runs through."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]

    def __or__(self, other: Path) -> Path:
        return Path(_merge(self.nodes, other.nodes), _merge(self.edges, other.edges))


EMPTY_PATH = Path((), ())


def edge_id(source: str, target: str) -> str:
    return f"{source}->{target}"


def _edge(source: str, target: str, kind: str) -> Edge:
    return Edge(edge_id(source, target), source, target, kind)


def build_graph(config: Config, T: int) -> Graph:
    """Every node and edge of the network unrolled over T steps."""
    S = config.loss_steps(T)
    params = config.param_names
    nodes = [Node(name, "param", None, name) for name in params]
    nodes.append(Node("h_0", "hidden", 0, "h_0"))
    edges: list[Edge] = []
    for t in range(1, T + 1):
        nodes += [Node(f"x_{t}", "input", t, f"x_{t}"), Node(f"h_{t}", "hidden", t, f"h_{t}")]
        edges += [_edge(f"x_{t}", f"h_{t}", "input"), _edge(f"h_{t - 1}", f"h_{t}", "recurrent")]
        edges += [_edge(name, f"h_{t}", "param") for name in ("W_x", "W_h", "b")]
    for k in S:
        nodes += [Node(f"yhat_{k}", "output", k, f"ŷ_{k}"), Node(f"loss_{k}", "loss", k, f"ℓ_{k}")]
        edges += [
            _edge(f"h_{k}", f"yhat_{k}", "output"),
            _edge(f"yhat_{k}", f"loss_{k}", "loss"),
            _edge(f"loss_{k}", "L", "sum"),
        ]
        edges += [_edge(name, f"yhat_{k}", "param") for name in params if name in ("W_y", "b_y")]
    nodes.append(Node("L", "total_loss", None, "L"))
    return Graph(T, tuple(nodes), tuple(edges))


def forward_path(config: Config, T: int, t: int) -> Path:
    """What forward step t computes: h_t from x_t, h_{t-1}, and (if t in S) yhat_t, loss_t."""
    nodes = [f"x_{t}", f"h_{t - 1}", f"h_{t}", "W_x", "W_h", "b"]
    edges = [edge_id(f"x_{t}", f"h_{t}"), edge_id(f"h_{t - 1}", f"h_{t}")]
    edges += [edge_id(name, f"h_{t}") for name in ("W_x", "W_h", "b")]
    if t in config.loss_steps(T):
        outputs = [name for name in config.param_names if name in ("W_y", "b_y")]
        nodes += [f"yhat_{t}", f"loss_{t}", "L", *outputs]
        edges += [edge_id(f"h_{t}", f"yhat_{t}"), edge_id(f"yhat_{t}", f"loss_{t}")]
        edges += [edge_id(f"loss_{t}", "L")] + [edge_id(name, f"yhat_{t}") for name in outputs]
    return Path(tuple(nodes), tuple(edges))


def term_path(param: str, k: int, t: int) -> Path:
    """term(k, t)'s path: from L back through loss_k, yhat_k, h_k .. h_t to param's use at t."""
    nodes = ["L", f"loss_{k}", f"yhat_{k}"]
    edges = [edge_id(f"loss_{k}", "L"), edge_id(f"yhat_{k}", f"loss_{k}")]
    if param in ("W_y", "b_y"):
        return Path((*nodes, param), (*edges, edge_id(param, f"yhat_{k}")))
    nodes += [f"h_{j}" for j in range(k, t - 1, -1)] + [param]
    edges += [edge_id(f"h_{k}", f"yhat_{k}")]
    edges += [edge_id(f"h_{j - 1}", f"h_{j}") for j in range(k, t, -1)]
    edges += [edge_id(param, f"h_{t}")]
    return Path(tuple(nodes), tuple(edges))


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + second))
