"""The unrolled graph as data, with stable ids (docs/design.md section 4).

Node ids: x_t (t = 1..T), h_t (t = 0..T; and c_t for a cell with a c state), yhat_k
and loss_k (k in S), L, and the parameters (the cell's, W_y, b_y). The cell says which
edges enter its state (Elman: x_t->h_t, h_{t-1}->h_t). An edge's id is "source->target".
The page lays these out and lights the ids that a step or a term names.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.model import Config


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # input | hidden | cell | output | loss | total_loss | param
    t: int | None
    label: str


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    kind: str  # input | recurrent | state | output | loss | sum | param


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


def _state_kind(node: str) -> str:
    return "cell" if node.startswith("c_") else "hidden"


def _edge_kind(source: str, target: str) -> str:
    if source.startswith("x_"):
        return "input"
    return "state" if source.rsplit("_", 1)[1] == target.rsplit("_", 1)[1] else "recurrent"


def cell_edges(config: Config, t: int) -> list[Edge]:
    """The cell's edges into step t's state, then each cell parameter's edge."""
    cell = config.rnn
    edges = [_edge(source, target, _edge_kind(source, target)) for source, target in cell.edges(t)]
    targets = {name: f"{cell.param_target(name)}_{t}" for name in config.cell_params}
    return edges + [_edge(name, target, "param") for name, target in targets.items()]


def _cell_edge_ids(config: Config, t: int) -> list[str]:
    """The ids of cell_edges(config, t), in its order, without making the Edges."""
    cell = config.rnn
    ids = [edge_id(source, target) for source, target in cell.edges(t)]
    return ids + [edge_id(name, f"{cell.param_target(name)}_{t}") for name in config.cell_params]


def build_graph(config: Config, T: int) -> Graph:
    """Every node and edge of the network unrolled over T steps."""
    S, states = config.loss_steps(T), config.rnn.states
    params = config.param_names
    nodes = [Node(name, "param", None, name) for name in params]
    nodes += [Node(f"{s}_0", _state_kind(f"{s}_0"), 0, f"{s}_0") for s in states]
    edges: list[Edge] = []
    for t in range(1, T + 1):
        nodes.append(Node(f"x_{t}", "input", t, f"x_{t}"))
        nodes += [Node(f"{s}_{t}", _state_kind(f"{s}_{t}"), t, f"{s}_{t}") for s in states]
        edges += cell_edges(config, t)
    for k in S:
        nodes += [Node(f"yhat_{k}", "output", k, f"ŷ_{k}"), Node(f"loss_{k}", "loss", k, f"ℓ_{k}")]
        edges += [
            _edge(f"h_{k}", f"yhat_{k}", "output"),
            _edge(f"yhat_{k}", f"loss_{k}", "loss"),
            _edge(f"loss_{k}", "L", "sum"),
        ]
        edges += [_edge(name, f"yhat_{k}", "param") for name in config.output_params]
    nodes.append(Node("L", "total_loss", None, "L"))
    return Graph(T, tuple(nodes), tuple(edges))


def forward_path(config: Config, T: int, t: int) -> Path:
    """What forward step t computes: s_t from x_t, s_{t-1}, and (if t in S) yhat_t, loss_t."""
    edges = _cell_edge_ids(config, t)
    nodes = [f"x_{t}", *(f"{s}_{t - 1}" for s in config.rnn.states)]
    nodes += [f"{s}_{t}" for s in config.rnn.states] + list(config.cell_params)
    if t in config.loss_steps(T):
        outputs = list(config.output_params)
        nodes += [f"yhat_{t}", f"loss_{t}", "L", *outputs]
        edges += [edge_id(f"h_{t}", f"yhat_{t}"), edge_id(f"yhat_{t}", f"loss_{t}")]
        edges += [edge_id(f"loss_{t}", "L")] + [edge_id(name, f"yhat_{t}") for name in outputs]
    return Path(tuple(nodes), tuple(edges))


def term_path(config: Config, param: str, k: int, t: int) -> Path:
    """term(k, t)'s path: from L back through loss_k, yhat_k, s_k .. s_t to param's use at t."""
    nodes = ["L", f"loss_{k}", f"yhat_{k}"]
    edges = [edge_id(f"loss_{k}", "L"), edge_id(f"yhat_{k}", f"loss_{k}")]
    if param in config.output_params:
        return Path((*nodes, param), (*edges, edge_id(param, f"yhat_{k}")))
    cell = config.rnn
    states = [f"{s}_{j}" for j in range(k, t - 1, -1) for s in cell.states]
    edges += [edge_id(f"h_{k}", f"yhat_{k}")]
    for j in range(k, t, -1):
        edges += [edge_id(*pair) for pair in cell.edges(j) if not pair[0].startswith("x_")]
    edges += [
        edge_id(*pair)
        for pair in cell.edges(t)
        if pair[0].endswith(f"_{t}") and not pair[0].startswith("x_")
    ]
    edges += [edge_id(param, f"{cell.param_target(param)}_{t}")]
    return Path((*nodes, *states, param), tuple(edges))


def backward_path(config: Config, T: int, t: int, ks: tuple[int, ...]) -> Path:
    """What backward step t goes back along: every term it completes (the losses ks reach
    the cell's parameters at t; at a loss step, the output layer's too), merged."""
    cell, outputs = config.rnn, config.output_params
    own = (t,) if t in config.loss_steps(T) else ()
    losses = tuple(dict.fromkeys((*ks, *own)))
    last = max(ks, default=t)
    nodes = ["L"] + [node for k in losses for node in (f"loss_{k}", f"yhat_{k}")]
    nodes += [f"{s}_{j}" for j in range(last, t - 1, -1) for s in cell.states]
    nodes += list(config.cell_params if ks else ()) + list(outputs if own else ())
    edges = [edge for k in losses for edge in (edge_id(f"loss_{k}", "L"), *_head(k))]
    for j in range(last, t, -1):
        edges += [edge_id(*pair) for pair in cell.edges(j) if not pair[0].startswith("x_")]
    if ks:
        edges += [
            edge_id(*pair)
            for pair in cell.edges(t)
            if pair[0].endswith(f"_{t}") and not pair[0].startswith("x_")
        ]
        edges += [edge_id(p, f"{cell.param_target(p)}_{t}") for p in config.cell_params]
    edges += [edge_id(p, f"yhat_{t}") for p in (outputs if own else ())]
    return Path(tuple(dict.fromkeys(nodes)), tuple(dict.fromkeys(edges)))


def _head(k: int) -> tuple[str, str]:
    return edge_id(f"yhat_{k}", f"loss_{k}"), edge_id(f"h_{k}", f"yhat_{k}")


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + second))
