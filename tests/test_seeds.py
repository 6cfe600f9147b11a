"""The seeds load when they changed: their files' fingerprint and their tables' rows against the
last load's (flows/seeds.py), and the nightly that leaves them out runs every other node."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from flows import seeds

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"


@pytest.fixture()
def project(tmp_path) -> Path:
    """The seeds and the project file of dbt_project, copied."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(PROJECT / "seeds", copy / "seeds")
    shutil.copy(PROJECT / "dbt_project.yml", copy / "dbt_project.yml")
    return copy


def load(con: duckdb.DuckDBPyConnection, project: Path) -> None:
    """Each seed's CSV into main.<seed> (as dbt would; the types do not matter here)."""
    for name in seeds.seed_names(project):
        path = next((project / "seeds").rglob(f"{name}.csv"))
        con.execute(f"create or replace table main.\"{name}\" as from read_csv('{path}', header = 1)")


def test_the_fingerprint_follows_the_csvs_their_yaml_and_the_project_file(project):
    first = seeds.files_fingerprint(project)
    assert seeds.files_fingerprint(project) == first
    seed_files = project / "seeds" / "activity_rules.csv", project / "seeds" / "_seeds.yml"
    for path in (*seed_files, project / "dbt_project.yml"):
        before = path.read_bytes()
        path.write_bytes(before + b"\n")
        assert seeds.files_fingerprint(project) != first, path.name
        path.write_bytes(before)
    assert seeds.files_fingerprint(project) == first
    (project / "seeds" / "new_rules.csv").write_text("a,b\n1,2\n")
    assert seeds.files_fingerprint(project) != first


def test_the_seeds_are_unchanged_only_after_a_recorded_load_of_these_files_and_tables(project, tmp_path):
    with duckdb.connect(str(tmp_path / "leadflow.duckdb")) as con:
        load(con, project)
        assert not seeds.unchanged(con, project), "nothing recorded yet"
        seeds.record(con, project)
        assert seeds.unchanged(con, project)
        assert con.execute("select count(*) from ops.seed_loads").fetchone() == (1,)

        # A row edited by hand in a seed table: the next build loads the seeds again.
        con.execute("update main.scoring_settings set value = value || '0'")
        assert not seeds.unchanged(con, project)
        load(con, project)
        assert seeds.unchanged(con, project)

        # A seed table gone.
        con.execute("drop table main.fit_grades")
        assert seeds.tables_hash(con, project) is None and not seeds.unchanged(con, project)
        seeds.record(con, project)  # nothing to record without every table
        assert not seeds.unchanged(con, project)
        load(con, project)
        assert seeds.unchanged(con, project)

        # A CSV edited by a marketer.
        rules = project / "seeds" / "activity_rules.csv"
        rules.write_text(rules.read_text() + rules.read_text().splitlines()[-1] + "\n")
        assert not seeds.unchanged(con, project)
        load(con, project)
        seeds.record(con, project)
        assert seeds.unchanged(con, project)
        assert con.execute("select count(*) from ops.seed_loads").fetchone() == (1,)


def test_build_args_leave_out_the_seeds_only_when_asked():
    args = ["build", "--exclude-resource-type", "unit_test", "--exclude", "tag:quality", "--full-refresh"]
    assert seeds.build_args(args, skip=False) == args
    assert seeds.build_args(args, skip=True) == [
        "build", "--exclude-resource-type", "unit_test", "--exclude", "tag:quality", "resource_type:seed",
        "--full-refresh", "--indirect-selection", "cautious",
    ]  # fmt: skip
    assert seeds.build_args(["build"], skip=True) == [
        "build", "--exclude", "resource_type:seed", "--indirect-selection", "cautious",
    ]  # fmt: skip


def test_the_nightly_without_seeds_runs_every_other_node_and_the_tests_against_seeds(tmp_path, monkeypatch):
    """Left out: the seeds and the tests that read only seeds. Kept: everything else the nightly
    runs, the tests of a model against a seed too (relationships to title_rules, fit_grades,
    activity_mapping)."""
    from flows.build import BUILD_ARGS

    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(tmp_path / "leadflow.duckdb"))
    monkeypatch.setenv("DO_NOT_TRACK", "1")

    def listed(args: list[str]) -> dict[str, list[str]]:
        result = dbtRunner().invoke(
            [
                "ls",
                *args[1:],
                *("--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)),
                *("--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")),
                *("--output", "json", "--output-keys", "unique_id depends_on", "--quiet"),
            ]
        )
        assert result.success, result.exception
        nodes = (json.loads(line) for line in result.result)
        return {
            n["unique_id"]: n.get("depends_on", {}).get("nodes", [])
            for n in nodes
            if not n["unique_id"].startswith("source.")
        }

    every = listed(list(BUILD_ARGS))
    without = listed(seeds.build_args(list(BUILD_ARGS), skip=True))
    only_seeds = {
        node
        for node, parents in every.items()
        if node.startswith("seed.")
        or (node.startswith("test.") and all(p.startswith("seed.") for p in parents))
    }
    assert len([n for n in only_seeds if n.startswith("seed.")]) == len(seeds.seed_names(PROJECT))
    assert set(without) == set(every) - only_seeds
    against_seeds = {
        node
        for node, parents in without.items()
        if node.startswith("test.") and any(p.startswith("seed.") for p in parents)
    }
    assert {n.split(".")[2].split("__ref_")[-1] for n in against_seeds} >= {
        "title_rules_",
        "fit_grades_",
        "activity_mapping_",
    }
