"""The order dbt's queue starts ready nodes in (flows/node_order.py), on dbt's own GraphQueue."""

from __future__ import annotations

import threading

import networkx as nx
import pytest
from dbt.graph.queue import GraphQueue

from flows import node_order


class Nodes:
    """What GraphQueue asks of the manifest: a node by its id."""

    def expect(self, unique_id: str) -> object:
        return object()


def build_graph() -> nx.DiGraph:
    """Staging models and their tests, and the long chain of intermediate models behind one of
    them: head is ready once stg_b is done, at a greater depth than the tests of stg_a."""
    graph = nx.DiGraph()
    graph.add_edges_from(
        [
            ("model.p.stg_a", "test.p.a_1"),
            ("model.p.stg_a", "test.p.a_2"),
            ("model.p.stg_a", "test.p.a_3"),
            ("model.p.source_copy", "model.p.stg_b"),
            ("model.p.stg_b", "model.p.head"),
            ("model.p.head", "model.p.middle"),
            ("model.p.middle", "model.p.last"),
            ("model.p.stg_a", "model.p.last"),
        ]
    )
    return graph


def started(order) -> list[str]:
    """The nodes in the order one worker takes them from dbt's queue."""
    graph = build_graph()
    order()
    queue = GraphQueue(graph, Nodes(), set(graph.nodes))
    taken = []
    while not queue.empty():
        node = queue.inner.get()[1]
        queue._mark_in_progress(node)
        taken.append(node)
        queue.mark_done(node)
    return taken


@pytest.fixture(autouse=True)
def restore_order():
    yield
    node_order.dbt_order()


def test_dbt_alone_runs_the_side_tests_before_the_chain():
    # What node_order changes: dbt's depth puts the tests (depth 1) before head (depth 2).
    taken = started(node_order.dbt_order)
    assert taken.index("test.p.a_3") < taken.index("model.p.head")


def test_the_longest_chain_starts_first():
    taken = started(node_order.critical_path_first)
    assert taken.index("model.p.head") < min(taken.index(f"test.p.a_{n}") for n in (1, 2, 3))
    # Every node still waits for what it depends on.
    graph = build_graph()
    for parent, child in graph.edges:
        assert taken.index(parent) < taken.index(child), (parent, child)
    assert sorted(taken) == sorted(graph.nodes)


def test_scores_weigh_tests_less_than_models():
    graph = nx.DiGraph([("model.p.a", "test.p.a_unique"), ("model.p.b", "model.p.c")])
    scores = node_order.chain_scores(graph)
    assert scores["test.p.a_unique"] == -node_order.TEST_WEIGHT
    assert scores["model.p.a"] == -(node_order.MODEL_WEIGHT + node_order.TEST_WEIGHT)
    assert scores["model.p.b"] == -2 * node_order.MODEL_WEIGHT
    # b's chain (two models) outweighs a's (a model and its test): b starts first.
    assert scores["model.p.b"] < scores["model.p.a"]


def test_a_node_is_handed_out_only_when_a_thread_is_free():
    """dbt's loop takes nodes as fast as the queue gives them and queues them in its thread pool;
    with critical_path_first, the queue gives the next only when fewer are in progress than the
    build has threads, so that a node ready a moment later can still come first."""
    node_order.critical_path_first()
    graph = nx.DiGraph()
    graph.add_nodes_from(["model.p.a", "model.p.b", "model.p.c"])
    queue = GraphQueue(graph, Nodes(), set(graph.nodes))
    queue.leadflow_threads = 2
    first, second = queue.get(), queue.get()
    assert first is not None and second is not None
    taken: list[object] = []
    waiting = threading.Thread(target=lambda: taken.append(queue.get()), daemon=True)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and taken == [], "a third node handed out while both threads were busy"
    queue.mark_done(sorted(queue.in_progress)[0])
    waiting.join(5)
    assert not waiting.is_alive() and len(taken) == 1
