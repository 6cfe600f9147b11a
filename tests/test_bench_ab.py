"""bench/dbt_ab.py's parts that need no build: refs, their dbt projects, the run date, the table."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import dbt_ab  # noqa: E402 - bench/dbt_ab.py

ROOT = Path(__file__).resolve().parent.parent
# Refs are read from the checkout's git (a clone in CI); a copy without .git has none to read.
needs_git = pytest.mark.skipif(
    not (ROOT / ".git").exists() or shutil.which("git") is None, reason="not a git checkout"
)


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


@needs_git
def test_a_ref_names_its_commit_and_a_wrong_one_is_refused() -> None:
    head = git("rev-parse", "HEAD")
    name, commit = dbt_ab.resolve("HEAD")
    assert commit == head.strip() and name == f"HEAD ({commit[:7]})"
    assert dbt_ab.resolve(commit[:10]) == (commit[:10], commit)
    assert dbt_ab.resolve(".") == ("working tree", ".")
    with pytest.raises(SystemExit, match="no-such-ref"):
        dbt_ab.resolve("no-such-ref")


@needs_git
def test_a_commit_s_dbt_project_is_taken_out_of_git(tmp_path: Path) -> None:
    project = dbt_ab.export(dbt_ab.resolve("HEAD")[1], tmp_path / "head")
    committed = git("show", "HEAD:dbt_project/dbt_project.yml")
    assert (project / "dbt_project.yml").read_text() == committed
    assert (project / "models").is_dir() and not (project / "target").exists()


def test_the_working_tree_s_project_is_copied_as_it_is_without_build_output(tmp_path: Path) -> None:
    tree = tmp_path / "repo" / "dbt_project"
    (tree / "models").mkdir(parents=True)
    (tree / "models" / "people.sql").write_text("select 1 as person_id -- not committed yet")
    (tree / "dbt_project.yml").write_text("name: leadflow\n")
    for output in ("target", "logs", "dbt_packages"):
        (tree / output).mkdir()
        (tree / output / "stale.json").write_text("{}")
    (tree / ".user.yml").write_text("id: someone\n")

    project = dbt_ab.export(".", tmp_path / "tree", root=tmp_path / "repo")
    assert (project / "models" / "people.sql").read_text() == "select 1 as person_id -- not committed yet"
    assert (project / "dbt_project.yml").read_text() == "name: leadflow\n"
    assert sorted(p.name for p in project.iterdir()) == ["dbt_project.yml", "models"]
    # Taken out again, it starts clean.
    (project / "stale.sql").write_text("select 1")
    assert not (dbt_ab.export(".", tmp_path / "tree", root=tmp_path / "repo") / "stale.sql").exists()


def test_the_run_date_is_the_day_after_the_last_build(tmp_path: Path) -> None:
    db = tmp_path / "bench.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema dbt_state")
        con.execute("create table dbt_state.increments (model varchar, as_of_end timestamp)")
        con.execute(
            "insert into dbt_state.increments values (?, ?), (?, ?)",
            ["int_activities", datetime(2026, 3, 3), "people", datetime(2026, 3, 2)],
        )
    assert dbt_ab.next_run_date(db) == date(2026, 3, 3)


def test_a_database_without_a_build_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(SystemExit, match="holds no build"):
        dbt_ab.next_run_date(db)


def built_on(db: Path, as_of_end: datetime) -> Path:
    with duckdb.connect(str(db)) as con:
        con.execute("create schema dbt_state")
        con.execute("create table dbt_state.increments (model varchar, as_of_end timestamp)")
        con.execute("insert into dbt_state.increments values ('int_activities', ?)", [as_of_end])
    return db


def test_each_ref_starts_from_one_ready_state_or_its_own_at_the_same_run_date(tmp_path: Path) -> None:
    one = built_on(tmp_path / "one.duckdb", datetime(2026, 3, 3))
    other = built_on(tmp_path / "other.duckdb", datetime(2026, 3, 3))
    later = built_on(tmp_path / "later.duckdb", datetime(2026, 3, 4))
    assert dbt_ab.starting_databases(["HEAD~1", "."], [one]) == [one, one]
    assert dbt_ab.starting_databases(["HEAD~1", "."], [one, other]) == [one, other]
    with pytest.raises(ValueError, match="given 2 times for 3 REFs"):
        dbt_ab.starting_databases(["HEAD~2", "HEAD~1", "."], [one, other])
    with pytest.raises(ValueError, match="different run dates"):
        dbt_ab.starting_databases(["HEAD~1", "."], [one, later])
    with pytest.raises(ValueError, match="no such database"):
        dbt_ab.starting_databases(["HEAD~1", "."], [one, tmp_path / "missing.duckdb"])


def test_the_table_gives_every_run_the_median_and_the_median_run_s_figures() -> None:
    def run(
        seconds: float, parse: float, models: float, tests: float, peak: int, compaction: float = 2.0
    ) -> dict:
        return {
            "seconds": seconds,
            "compaction_seconds": compaction,
            "parse_seconds": parse,
            "models_seconds": models,
            "tests_seconds": tests,
            "peak_rss_mib": peak,
        }

    runs = {
        "old": [
            run(70.1, 9.2, 45.0, 13.0, 3300),
            run(78.9, 10.8, 50.0, 14.0, 3400),
            run(66.3, 9.1, 44.0, 12.0, 3250),
        ],
        # Faster builds, but a checkpoint moved into the compaction after them.
        "new": [run(65.8, 2.8, 48.2, 13.0, 3310, 7.5), run(59.5, 2.7, 42.0, 12.5, 3290, 14.0)],
    }
    lines = dbt_ab.table(["old", "new"], runs).splitlines()
    assert lines[2] == (
        "| old | 70.1, 78.9, 66.3 | 70.1 | 2.0, 2.0, 2.0 | 72.1 | 9.2, 10.8, 9.1 | 45.0 | 13.0 | 3,400 MiB |"
    )
    # An even count: the medians of the seconds and of build and compaction (73.3, 73.5), the
    # lower middle run's other figures.
    assert lines[3] == ("| new | 65.8, 59.5 | 62.6 | 7.5, 14.0 | 73.4 | 2.8, 2.7 | 42.0 | 12.5 | 3,310 MiB |")
    # A run that recorded no compaction leaves the sum out.
    runs["old"][0]["compaction_seconds"] = None
    assert "| 70.1 | n/a | n/a |" in dbt_ab.table(["old"], runs)
