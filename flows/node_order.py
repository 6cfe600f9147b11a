"""The order in which `dbt build` starts its nodes: the longest chain of work still behind each first.

dbt hands every node to its thread pool the moment the node is ready, and the pool starts them in
the order they came. When the staging models are done, the sixty data tests on them are all
handed over at once; a model that becomes ready a moment later, such as int_identity_changes at
the head of the chain every score and stage waits for, starts only after all sixty. dbt's own
priority (the shallowest node first) only orders nodes ready at the same instant.

`critical_path_first()` changes two things in this process:
- dbt hands a node over only when one of its threads is free, so that the choice is made when a
  thread can start it, among every node ready by then;
- the node chosen is the one with the heaviest chain of work after it, to the end of the build: a
  node weighs `MODEL_WEIGHT` (model, snapshot, seed) or `TEST_WEIGHT` (data or unit test), along
  the edges of the graph dbt runs, those from each test to the nodes that wait for it included.
Which nodes run, and what each waits for, stay dbt's: only the order among the ready ones changes.
"""

from __future__ import annotations

import networkx as nx
from dbt.graph.queue import GraphQueue
from dbt.task.runnable import GraphRunnableTask

# A data test is mostly dbt's own work around one small query: about a tenth of a model, as their
# times compare in a nightly.
MODEL_WEIGHT = 10
TEST_WEIGHT = 1

_DBT_SCORES = GraphQueue._get_scores
_DBT_GET = GraphQueue.get
_DBT_RUN_QUEUE = GraphRunnableTask.run_queue


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


def _get_when_a_thread_is_free(queue: GraphQueue, block: bool = True, timeout: float | None = None):
    """dbt's GraphQueue.get, once fewer nodes are in progress than the build has threads."""
    threads = getattr(queue, "leadflow_threads", None)
    if threads:
        with queue.lock:
            # mark_done (under this lock) queues a finished node's children before it notifies.
            while len(queue.in_progress) >= threads:
                queue.some_task_done.wait()
    return _DBT_GET(queue, block, timeout)


def _run_queue(task: GraphRunnableTask, pool) -> None:
    if task.job_queue is not None:
        task.job_queue.leadflow_threads = task.config.threads
    return _DBT_RUN_QUEUE(task, pool)


def critical_path_first() -> None:
    """From now on in this process, every dbt invocation starts, whenever a thread is free, the
    ready node with the heaviest chain of work after it (idempotent)."""
    GraphQueue._get_scores = _scores
    GraphQueue.get = _get_when_a_thread_is_free
    GraphRunnableTask.run_queue = _run_queue


def dbt_order() -> None:
    """dbt's own order again (the benchmark's A/B of the two)."""
    GraphQueue._get_scores = _DBT_SCORES
    GraphQueue.get = _DBT_GET
    GraphRunnableTask.run_queue = _DBT_RUN_QUEUE
