"""Progress of the long steps (extract per object, dbt build, write-back per vendor) on stderr.

Flows report through `start`, `advance` and `finish` whatever runs them; nothing is shown unless
the CLI turned a display on with `shown` (a terminal, neither --quiet nor --json), so Prefect
deployments and tests pay one dictionary look-up per page.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

_lock = threading.Lock()
_display: Progress | None = None
_tasks: dict[str, int] = {}


class CountColumn(ProgressColumn):
    """`1,200 records` or `1,200/5,000 records`: a count even when the total is unknown."""

    def render(self, task: Task) -> Text:
        done = f"{int(task.completed):,}"
        if task.total is not None:
            done += f"/{int(task.total):,}"
        return Text(f"{done} {task.fields.get('unit', '')}")


class RateColumn(ProgressColumn):
    """Records (or models) per second since the step started."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed or not task.completed:
            return Text("")
        return Text(f"{task.completed / elapsed:,.0f} {task.fields.get('unit', '')}/s")


def display(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(finished_text="done"),
        TextColumn("{task.description}"),
        BarColumn(),
        CountColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def wanted(quiet: bool, as_json: bool, stream=None) -> bool:
    """Progress is for a person at a terminal: not for scripts, pipes or logs."""
    stream = stream if stream is not None else sys.stderr
    return not quiet and not as_json and stream.isatty()


@contextmanager
def shown(console: Console | None = None) -> Iterator[Progress | None]:
    """Show the steps started inside on `console` (stderr when None)."""
    global _display
    bars = display(console or Console(stderr=True))
    with _lock:
        _display = bars
        _tasks.clear()
    try:
        with bars:
            yield bars
    finally:
        with _lock:
            _display = None
            _tasks.clear()


def start(key: str, total: int | None = None, unit: str = "records") -> None:
    """A step begins: `key` names it on screen ("extract salesforce.Lead")."""
    with _lock:
        if _display is not None:
            _tasks[key] = _display.add_task(key, total=total, unit=unit)


def advance(key: str, amount: int = 1) -> None:
    with _lock:
        if _display is not None and key in _tasks:
            _display.advance(_tasks[key], amount)


def finish(key: str) -> None:
    """The step is over: its bar stops at what it reached (a total it fell short of included)."""
    with _lock:
        if _display is not None and key in _tasks:
            task_id = _tasks.pop(key)
            reached = next(t.completed for t in _display.tasks if t.id == task_id)
            _display.update(task_id, total=reached)
            _display.stop_task(task_id)
