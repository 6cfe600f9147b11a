"""The order in which `dbt build` starts its ready nodes: the longest chain still behind each first.

dbt's queue starts the ready node of the lowest depth (its level in the graph counted from the
sources), so a model on the build's longest chain waits while the data tests of side branches,
one level higher up the graph, run first. In a nightly at 1,000,000 people, that kept both threads
on sixty staging tests for about 4 s while int_crm_records, the head of the chain that every
score and stage waits for, was ready (BENCHMARKS.md, stop 38). `critical_path_first()` makes the
queue start the ready node with the longest chain of work after it instead: a node weighs
`MODEL_WEIGHT` (model, snapshot, seed) or `TEST_WEIGHT` (data or unit test), and the chain is measured in
the graph dbt runs, its edges from each test to the models that wait for it included. Which nodes
run, and what each waits for, do not change: only the order among those that are ready.
"""

from __future__ import annotations

import networkx as nx
from dbt.graph.queue import GraphQueue

# A data test is mostly dbt's own work around one small query: a tenth of a model, about as their
# times compare in a nightly.
MODEL_WEIGHT = 10
TEST_WEIGHT = 1

_DBT_SCORES = GraphQueue._get_scores


def chain_scores(graph: nx.DiGraph) -> dict[str, int]:
    """Each node's score for dbt's queue (lower starts first): minus the weight of the heaviest
    chain from the node, itself included, to the end of the build."""
    chain: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        own = TEST_WEIGHT if node.split(".")[0] in ("test", "unit_test") else MODEL_WEIGHT
        chain[node] = own + max((chain[child] for child in graph.successors(node)), default=0)
    return {node: -weight for node, weight in chain.items()}


def _scores(queue: GraphQueue, graph: nx.DiGraph) -> dict[str, int]:
    return chain_scores(graph)


def critical_path_first() -> None:
    """From now on in this process, every dbt invocation starts the ready node with the longest
    chain after it first (idempotent)."""
    GraphQueue._get_scores = _scores


def dbt_order() -> None:
    """dbt's own order again (the benchmark's A/B of the two)."""
    GraphQueue._get_scores = _DBT_SCORES
