"""Repeated runs: `--runs N` (at least 3) and the median of each figure, with every run's value."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence

MIN_RUNS = 3


def add_argument(parser: argparse.ArgumentParser, what: str = "runs") -> None:
    parser.add_argument(
        "--runs", type=int, default=MIN_RUNS, help=f"{what}; each figure is their median (at least 3)"
    )


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse fewer than 3 runs: a median of one or two is not one."""
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}: each figure is a median")


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no runs")
    return statistics.median(values)


def median_run(runs: Sequence[dict], key: str) -> dict:
    """The run whose `key` is the median (the lower middle one of an even count): its other
    figures go with it, so that a row adds up."""
    ordered = sorted(runs, key=lambda r: r[key])
    return ordered[(len(ordered) - 1) // 2]


def every(values: Sequence[float], spec: str = ".1f") -> str:
    """`12.3, 11.9, 14.0`: each run's value, in the order they ran."""
    return ", ".join(format(v, spec) for v in values)


def medians(runs: Sequence[dict], keys: Sequence[str]) -> dict[str, float]:
    return {k: median([r[k] for r in runs]) for k in keys}
