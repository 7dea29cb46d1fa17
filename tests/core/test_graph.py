"""The unrolled graph's ids: what the page draws and lights."""

from app.core.graph import build_graph, forward_path, term_path
from app.core.presets import get_preset


def test_many_to_one_graph_has_a_single_output_at_T():
    config = get_preset("seed-3-step").scenario.config
    graph = build_graph(config, 3)
    ids = {node.id for node in graph.nodes}
    assert {"x_1", "x_3", "h_0", "h_3", "yhat_3", "loss_3", "L", "W_x", "W_h", "b", "W_y"} <= ids
    assert "yhat_2" not in ids and "b_y" not in ids
    assert {edge.source for edge in graph.edges} | {edge.target for edge in graph.edges} <= ids
    assert [e.id for e in graph.edges if e.source == "W_h"] == ["W_h->h_1", "W_h->h_2", "W_h->h_3"]


def test_term_path_runs_from_the_loss_back_to_the_parameters_use():
    config = get_preset("seed-3-step").scenario.config
    path = term_path(config, "W_h", 3, 1)
    assert path.nodes == ("L", "loss_3", "yhat_3", "h_3", "h_2", "h_1", "W_h")
    assert path.edges == (
        "loss_3->L",
        "yhat_3->loss_3",
        "h_3->yhat_3",
        "h_2->h_3",
        "h_1->h_2",
        "W_h->h_1",
    )


def test_forward_path_lights_the_output_only_at_a_loss_step():
    config = get_preset("seed-3-step").scenario.config
    assert "yhat_2" not in forward_path(config, 3, 2).nodes
    assert "h_2->yhat_2" not in forward_path(config, 3, 2).edges
    assert {"yhat_3", "loss_3", "W_y"} <= set(forward_path(config, 3, 3).nodes)
