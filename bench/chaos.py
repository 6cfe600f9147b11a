"""Chaos benchmark: nightlies under the issue's fault plan, killed at random points, run again.

    .venv/bin/python bench/chaos.py                  # `make bench-chaos`: 20 trials
    .venv/bin/python bench/chaos.py --trials 3 --people 150

One fault-free nightly on a copy of a seeded sandbox, then N trials, each on a fresh copy: the
sandbox injects 20% 429 (Salesforce: 403 REQUEST_LIMIT_EXCEEDED), 5% 500/503, 2% connections
lost (half before any answer, half cut off mid-answer after the request was served) and, on
Salesforce, 2% expired sessions (401 INVALID_SESSION_ID); the run is killed (kill -9 of its
process group) at a seeded random point, then run again until it succeeds (at most 3 times).
The CRM state (every field leadflow may write, on every Lead, Contact and HubSpot contact) is
compared with the fault-free run's, and the sandbox's count of writes per record and field
with the fault-free run's (more: a write sent twice). Writes the "Chaos" section of
BENCHMARKS.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/chaos.py holds the trials

from benchfile import machine, update_section  # noqa: E402 - bench/benchfile.py

from tests.chaos import chaos_plans, compare, kill_points, run, seed_template  # noqa: E402

INTRO = """
Each trial: a nightly (extract, build, write-back) of a seeded company through the real clients
into a fresh copy of the sandbox, under 20% 429, 5% 5xx, 2% lost connections (1% before the
answer, 1% cut off mid-answer after the request was served) and 2% expired Salesforce sessions;
killed with kill -9 at a seeded random point, then run again until it succeeds. "Diffs" are
fields whose final value differs from a fault-free run's (lost updates); "writes twice" are
record fields the sandbox saw written more often than in the fault-free run. "Extra requests"
are the requests beyond the fault-free run's: retries after faults, new sessions, and the work
of the killed run done again.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp one)")
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(dir=args.work, prefix="bench-chaos-") as work:
        root = Path(work)
        template = seed_template(root / "template", people=args.people, seed=args.seed)
        (root / "clean").mkdir()
        clean = run(template, root / "clean", today)
        print(f"fault-free: {clean.seconds:.0f} s, {clean.requests} requests", flush=True)
        rows, faults = [], Counter()
        for trial, kill_after in enumerate(kill_points(args.seed, args.trials, clean.seconds)):
            (root / f"t{trial}").mkdir()
            plans = chaos_plans(args.seed * 1000 + trial)
            outcome = run(template, root / f"t{trial}", today, plans, kill_after)
            verdict = compare(clean, outcome)
            faults.update(outcome.faults)
            rows.append((trial, outcome, verdict))
            print(
                f"trial {trial}: killed at {outcome.killed_after} s ({outcome.killed_in}), "
                f"reruns {outcome.reruns}, "
                f"faults {sum(outcome.faults.values())}, diffs {len(verdict.diffs)}, "
                f"twice {len(verdict.duplicates)}, {outcome.seconds:.0f} s",
                flush=True,
            )
    title = f"{args.trials} trials, {args.people} people"
    command = " ".join(["python bench/chaos.py", *map(shlex.quote, sys.argv[1:])])
    body = report(title, command, clean, rows, faults)
    print(body)
    update_section(args.output, "Chaos", INTRO, title, body)
    print(f"\nwritten to {args.output}")


def report(title: str, command: str, clean, rows: list, faults: Counter) -> str:
    killed = sum(o.killed_after is not None for _, o, _ in rows)
    ended = sum(o.exits[-1] == 0 for _, o, _ in rows)
    lines = [
        f"### {title}",
        "",
        f"{machine()}; `{command}`; {datetime.now(UTC):%Y-%m-%d}. Fault-free nightly: "
        f"{clean.seconds:.0f} s, {clean.requests} requests, {sum(clean.writes.values())} field writes.",
        "",
        "| trial | killed at (s) | killed in | re-runs | faults injected | requests | extra requests "
        "| diffs | writes twice |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for trial, o, v in rows:
        killed_at = f"{o.killed_after:.1f}" if o.killed_after is not None else "ended first"
        lines.append(
            f"| {trial} | {killed_at} | {o.killed_in or '-'} | {o.reruns} | {sum(o.faults.values())} | "
            f"{o.requests} | "
            f"{max(o.requests - clean.requests, 0)} | {len(v.diffs)} | {len(v.duplicates)} |"
        )
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(faults.items()))
    lines += [
        "",
        f"{len(rows)} trials, {killed} killed mid-run, {ended} ended successfully after re-runs; "
        f"faults injected in all: {kinds}; final diffs: {sum(len(v.diffs) for _, _, v in rows)}; "
        f"writes sent twice: {sum(len(v.duplicates) for _, _, v in rows)}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
