"""A/B of the nightly `dbt build` between commits: each one's dbt project from one starting database.

    .venv/bin/python bench/dbt_ab.py [--ready .leadflow/bench/ready/bench.duckdb] [--runs 3]
                                     [--dir .leadflow/bench/ab] REF [REF ...]

REF: a commit (whatever `git rev-parse` takes: HEAD~1, a hash, a branch), or `.` for the working
tree as it is, uncommitted changes included. Each REF's `dbt_project/` is taken out of git into
DIR/<n>-<name>/, with a target folder of its own: each keeps its own parse, as a worker's checkout
does. Then --runs rounds, each REF in turn within a round (interleaved, so that the machine's
changes of speed fall on every REF alike): a fresh copy of the starting database, an untimed
`dbt parse` (the night before's), and the nightly `dbt build` timed as `bench/dbt_build.py` times
it, at the run date after the database's last build.

The starting database is the `ready` state `bench/dbt_build.py --dir DIR` leaves in DIR/ready:
its company after the full build, the first nightly and its write-back, with 1% changed. A REF
whose incremental models' code or rules differ from those that built it recomputes everyone
(int_build_window's is_full, printed with each run): compare such a REF from its own bench's
ready state, not this one. `--ready` once per REF, in the REFs' order, gives each its own: each
REF's bench run on the same company (the same --people, --activities, --seed, --changed, or
--reuse-raw of one raw/), so that the states differ only by the code that built them. They must
be at the same run date.

Each build makes the build flow's choice about the seeds, with the REF's seed files: left out when
the starting database recorded a load of the same files (flows/seeds.py), else loaded.

Prints a JSON line per run, then a Markdown table (every run, the median, the compaction after
each build and the median of build and compaction together, dbt's parse: the invocation's seconds
before the run began, models and snapshot summed, data tests summed). Compare build and compaction
together: a change can move a checkpoint's writing out of the build into the compaction.
Writes nothing to BENCHMARKS.md: an A/B is a note written by hand under the bench's part, under
a `####` heading of its own, which the bench's later runs keep. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import tarfile
from datetime import date
from pathlib import Path

import duckdb
from dbt_build import fresh_copy, parse, timed_build  # bench/ (the script's folder)
from runs import add_argument, check, every, median, median_run  # bench/runs.py

ROOT = Path(__file__).resolve().parent.parent


def resolve(ref: str) -> tuple[str, str]:
    """(what the table calls REF, the commit or `.`): `HEAD~1` -> ("HEAD~1 (964ee83)", "964ee83...")."""
    if ref == ".":
        return "working tree", "."
    out = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"dbt_ab: {ref!r} is no commit of {ROOT}")
    commit = out.stdout.strip()
    return (ref if commit.startswith(ref) else f"{ref} ({commit[:7]})"), commit


def export(commit: str, into: Path, root: Path = ROOT) -> Path:
    """The commit's dbt_project/ (the working tree's, as it is, for `.`, without dbt's output) in
    `into`/dbt_project. `root`: the repository."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    if commit == ".":
        shutil.copytree(
            root / "dbt_project",
            into / "dbt_project",
            ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
        )
    else:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", commit, "dbt_project"], capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
    return into / "dbt_project"


def next_run_date(db: Path) -> date:
    """The run date after the database's last build: its incremental models' as_of_end (the
    midnight after the run date they were built for) is the next day."""
    with duckdb.connect(str(db), read_only=True) as con:
        try:
            (end,) = con.execute("select max(as_of_end) from dbt_state.increments").fetchone()
        except duckdb.CatalogException:
            end = None
    if end is None:
        raise SystemExit(f"dbt_ab: {db} holds no build (dbt_state.increments): run bench/dbt_build.py first")
    return end.date()


def starting_databases(refs: list[str], ready: list[Path] | None) -> list[Path]:
    """Each REF's starting database: one --ready for all, or one per REF in their order (each at
    the same run date). ValueError names what is wrong."""
    given = ready or [ROOT / ".leadflow" / "bench" / "ready" / "bench.duckdb"]
    if len(given) not in (1, len(refs)):
        raise ValueError(
            f"--ready given {len(given)} times for {len(refs)} REFs: once for all, or once per REF"
        )
    for db in given:
        if not db.exists():
            raise ValueError(f"--ready {db}: no such database (bench/dbt_build.py --dir D leaves D/ready)")
    dates = {db: next_run_date(db) for db in given}
    if len(set(dates.values())) > 1:
        raise ValueError(
            "--ready: the starting databases are at different run dates ("
            + ", ".join(f"{db}: {day}" for db, day in dates.items())
            + "): bench the REFs on the same company"
        )
    return given * len(refs) if len(given) == 1 else given


def is_full(db: Path) -> bool:
    """Whether the build recomputed everyone (int_build_window)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select is_full from int_build_window").fetchone()[0]


def table(names: list[str], runs: dict[str, list[dict]]) -> str:
    """Every run's seconds and their median; the compaction the nightly flow runs after the build
    (flows/warehouse.py compact()) and the median of build and compaction together, which a change
    that moves a checkpoint from the build into the compaction does not flatter; the median run's
    other figures."""
    rows = [
        "| nightly | runs, s | median, s | compaction after, s | build and compaction, median s "
        "| dbt's parse, s | models and snapshot summed, s | data tests summed, s | peak memory |",
        "| --- | --- | ---: | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for name in names:
        done = runs[name]
        middle = median_run(done, "seconds")
        compactions = [r.get("compaction_seconds") for r in done]
        if None in compactions:
            compacted = every_compaction = "n/a"
        else:
            every_compaction = every(compactions)
            compacted = f"{median([r['seconds'] + c for r, c in zip(done, compactions, strict=True)]):.1f}"
        rows.append(
            f"| {name} | {every([r['seconds'] for r in done])} | {median([r['seconds'] for r in done]):.1f} "
            f"| {every_compaction} | {compacted} "
            f"| {every([r['parse_seconds'] for r in done])} | {middle['models_seconds']:.1f} "
            f"| {middle['tests_seconds']:.1f} | {max(r['peak_rss_mib'] for r in done):,} MiB |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("refs", nargs="+", metavar="REF", help="commits to compare; . is the working tree")
    parser.add_argument(
        "--ready",
        type=Path,
        action="append",
        help="the starting database (bench/dbt_build.py leaves it in its --dir's ready/); once per REF, in "
        "their order, for each its own (default: .leadflow/bench/ready/bench.duckdb for all)",
    )
    parser.add_argument("--dir", type=Path, default=ROOT / ".leadflow" / "bench" / "ab")
    add_argument(parser, "rounds, each REF once in each")
    args = parser.parse_args()
    check(parser, args)
    try:
        readies = starting_databases(args.refs, args.ready)
    except ValueError as error:
        parser.error(str(error))
    as_of = next_run_date(readies[0])
    checkouts = []
    for n, (ref, ready) in enumerate(zip(args.refs, readies, strict=True), 1):
        name, commit = resolve(ref)
        work = args.dir / f"{n}-{'working-tree' if ref == '.' else re.sub(r'[^A-Za-z0-9_.-]+', '_', ref)}"
        checkouts.append((name, export(commit, work / "checkout"), work, ready))
    names = [name for name, _, _, _ in checkouts]
    print(json.dumps({"step": "a/b", "run_date": as_of.isoformat(), "refs": names}), flush=True)
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for round_ in range(1, args.runs + 1):
        for name, project, work, ready in checkouts:
            db = fresh_copy(ready, args.dir / "run")
            parse(db, as_of, work, project=project)
            build = timed_build(db, as_of, work, project=project)
            build["is_full"] = is_full(db)
            runs[name].append(build)
            print(json.dumps({"step": f"{name}, round {round_}", **build}), flush=True)
            if not build["success"]:
                raise SystemExit(f"dbt_ab: the build of {name} failed: {build['failed']}")
    print()
    print(table(names, runs))
    if any(r["is_full"] for done in runs.values() for r in done):
        print(
            "\nA REF recomputed everyone (is_full): its incremental models' code or rules differ from "
            "those that built the starting database; compare it from its own bench's ready state."
        )


if __name__ == "__main__":
    main()
