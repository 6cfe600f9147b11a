"""The sandbox's request log as people read it: one line per request and a summary."""

from __future__ import annotations

import math
from collections import Counter

DROPPED = -1  # the status the log gives a connection closed without an answer (a fault)


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100) of `values`, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def status_text(status: int) -> str:
    return "drop" if status == DROPPED else str(status)


def summary(entries: list[dict]) -> dict:
    """Count, requests per status, median and p95 duration in milliseconds."""
    durations = [e["ms"] for e in entries]
    by_status = Counter(status_text(e["status"]) for e in entries)
    return {
        "count": len(entries),
        "by_status": dict(sorted(by_status.items())),
        "median_ms": percentile(durations, 50),
        "p95_ms": percentile(durations, 95),
    }


def table(entries: list[dict]) -> list[str]:
    """Aligned lines: sequence, vendor, method, status, duration, path."""
    lines = [f"{'seq':>7}  {'vendor':<10}  {'method':<6}  {'status':>6}  {'ms':>9}  path"]
    for e in entries:
        lines.append(
            f"{e['seq']:>7}  {e['vendor']:<10}  {e['method']:<6}  {status_text(e['status']):>6}"
            f"  {e['ms']:>9.3f}  {e['path']}"
        )
    return lines


def summary_line(s: dict) -> str:
    """`12 requests: 200 x10, 500 x1, drop x1; median 1.20 ms, p95 3.41 ms`."""
    if not s["count"]:
        return "0 requests"
    statuses = ", ".join(f"{status} x{n}" for status, n in s["by_status"].items())
    noun = "request" if s["count"] == 1 else "requests"
    return f"{s['count']} {noun}: {statuses}; median {s['median_ms']:.2f} ms, p95 {s['p95_ms']:.2f} ms"
