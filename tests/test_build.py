"""The build flow: each dbt node a Prefect task run with its state, a failed node a failed flow."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import duckdb
import psycopg2

from connectors.sandbox.seed import generate
from tests.raw_fixture import load_raw

TODAY = date(2026, 3, 1)


def task_runs(flow_run_id) -> list:
    """Every task run of the flow run, however many pages."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    wanted = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    found: list = []
    with get_client(sync_client=True) as client:
        while page := client.read_task_runs(flow_run_filter=wanted, limit=200, offset=len(found)):
            found += page
    return found


def node_names(results) -> Counter:
    """The task run names prefect-dbt gives the nodes dbt ran ("model people", "test ..."); the
    project's on-run-start hooks are no manifest nodes, and no tasks."""
    nodes = [r.node for r in results if r.node.resource_type != "operation"]
    return Counter(f"{n.resource_type.lower()} {n.name}" for n in nodes)


def invocations(monkeypatch) -> list:
    """What each dbt invocation of the build flow answers (dbtRunnerResult), in order."""
    from flows import build as build_module

    ran = []
    real_invoke = build_module.NodeTaskRunner.invoke

    def invoke(self, args, **kwargs):
        ran.append(result := real_invoke(self, args, **kwargs))
        return result

    monkeypatch.setattr(build_module.NodeTaskRunner, "invoke", invoke)
    return ran


def test_each_dbt_node_is_a_completed_task_run_of_the_build(prefect_harness, monkeypatch, tmp_path):
    from flows import build as build_module

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=60, seed=3, today=TODAY))
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    ran = invocations(monkeypatch)
    target = build_module.load_settings().dbt_project_dir / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    manifest = target / "manifest.json"
    manifest_before = manifest.stat().st_mtime_ns if manifest.exists() else None
    state = build_module.build(as_of=TODAY, return_state=True)
    assert state.result()["success"]
    runs = task_runs(state.state_details.flow_run_id)
    assert Counter(r.name for r in runs) == node_names(ran[0].result)
    # dbt's run results are written, its manifest is not (--no-write-json).
    written = json.loads((target / "run_results.json").read_text())["results"]
    assert sorted((r["unique_id"], r["status"]) for r in written) == sorted(
        (r.node.unique_id, str(r.status)) for r in ran[0].result
    )
    assert (manifest.stat().st_mtime_ns if manifest.exists() else None) == manifest_before
    assert {r.state_name for r in runs} == {"Completed"}
    assert not [t for t in threading.enumerate() if t.name.endswith("(run_task)")]
    with duckdb.connect(str(path)) as con:
        assert con.execute("select bool_and(success), count(*) from ops.builds").fetchone() == (True, 1)


def test_a_failed_model_fails_its_task_run_and_the_build(prefect_harness, monkeypatch, tmp_path):
    from flows.build import build
    from flows.settings import load_settings

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=60, seed=3, today=TODAY))
    with duckdb.connect(str(path)) as con:
        # A landed table without the columns stg_salesforce__users (its only reader) reads.
        con.execute("create or replace table raw_salesforce.user as select 1 as unexpected")
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    results = load_settings().dbt_project_dir / "target" / "run_results.json"
    results.unlink(missing_ok=True)
    state = build(as_of=TODAY, return_state=True)
    assert state.is_failed()
    runs = task_runs(state.state_details.flow_run_id)
    failed = [r.name for r in runs if r.state_name == "Failed"]
    assert failed == ["model stg_salesforce__users"]
    assert len(runs) > len(failed) and all(r.state_name in ("Completed", "Failed") for r in runs)
    # The failed build's results are written too, for whoever looks into it.
    statuses = {r["unique_id"]: r["status"] for r in json.loads(results.read_text())["results"]}
    assert statuses["model.leadflow.stg_salesforce__users"] == "error"


def test_a_nightly_on_another_run_date_reuses_the_last_parse(prefect_harness, monkeypatch, tmp_path):
    """The run date reaches dbt as LEADFLOW_AS_OF, read when the models run: two builds a day
    apart parse the project once (a var that changes would make dbt parse it all again), and
    each is measured to its own date; LEADFLOW_AS_OF is as it was after each."""
    from dbt.parser.manifest import ManifestLoader

    from flows.build import build

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=60, seed=3, today=TODAY))
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    monkeypatch.delenv("LEADFLOW_AS_OF", raising=False)
    parsable = []
    real = ManifestLoader.is_partial_parsable

    def is_partial_parsable(self, manifest):
        parsable.append(answer := real(self, manifest))
        return answer

    monkeypatch.setattr(ManifestLoader, "is_partial_parsable", is_partial_parsable)
    for days in (0, 1):
        parsable.clear()
        assert build(as_of=TODAY + timedelta(days=days), return_state=True).result()["success"]
        assert "LEADFLOW_AS_OF" not in os.environ
        day = TODAY + timedelta(days=days)
        with duckdb.connect(str(path)) as con:
            dates = (
                "select cast(as_of_end as date), (select max(scored_as_of) from people) from int_build_window"
            )
            assert con.execute(dates).fetchone() == (day + timedelta(days=1), day)
    # The second build found the first's parse still valid.
    assert [ok for ok, _ in parsable] == [True]


def test_the_seeds_load_again_only_when_their_files_or_tables_changed(prefect_harness, monkeypatch, tmp_path):
    """The first build loads the seeds and records them; the next leaves them and their own tests
    out (not the tests of models against them); after a seed table was edited by hand the build
    after loads them again from their CSVs. A full refresh always loads them."""
    from flows import build as build_module

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=60, seed=3, today=TODAY))
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    ran = invocations(monkeypatch)
    cap = "setting = 'engagement_cap'"

    def built(**kwargs) -> Counter:
        ran.clear()
        assert build_module.build(as_of=TODAY, return_state=True, **kwargs).result()["success"]
        return Counter(n.split(" ")[0] for n in node_names(ran[0].result).elements())

    def seed_tests() -> set[str]:
        return {r.node.name for r in ran[0].result if r.node.resource_type == "test"
                and any(p.startswith("seed.") for p in r.node.depends_on.nodes)}  # fmt: skip

    first = built()
    assert first["seed"] == 22
    against_seeds = seed_tests()
    second = built()
    assert second["seed"] == 0 and second["model"] == first["model"]
    kept = seed_tests()
    assert kept and kept < against_seeds
    assert all(name.startswith("relationships_") for name in kept)
    with duckdb.connect(str(path)) as con:
        assert con.execute("select count(*) from ops.seed_loads").fetchone() == (1,)
        (described,) = con.execute(f"select description from scoring_settings where {cap}").fetchone()
        con.execute(f"update scoring_settings set description = 'edited by hand' where {cap}")
    assert built()["seed"] == 22
    with duckdb.connect(str(path)) as con:
        restored = con.execute(f"select description from scoring_settings where {cap}").fetchone()
    assert restored == (described,)
    assert built()["seed"] == 0
    assert built(full_refresh=True)["seed"] == 22


def test_the_build_runs_on_the_postgres_target(prefect_harness, postgres, monkeypatch, tmp_path):
    """LEADFLOW_DBT_TARGET=postgres: the build flow builds the PostgreSQL database, the routing file
    passed parsed as var routing (PostgreSQL reads no file), the run date in LEADFLOW_AS_OF. The
    DuckDB file gets the build's ops row, not the marts; write-back reads its queue from
    PostgreSQL."""
    from flows.build import build
    from flows.writeback import writeback
    from tests.test_dbt_postgres import copy_raw

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=60, seed=3, today=TODAY))
    url = postgres.create_database("leadflow_build")
    assert copy_raw(path, url) > 0
    for name, value in {
        "LEADFLOW_DUCKDB_PATH": str(path),
        "LEADFLOW_DBT_TARGET": "postgres",
        "LEADFLOW_PG_HOST": "127.0.0.1",
        "LEADFLOW_PG_PORT": str(postgres.port),
        "LEADFLOW_PG_USER": postgres.role,
        "LEADFLOW_PG_DATABASE": "leadflow_build",
        "LEADFLOW_DBT_THREADS": "2",
    }.items():
        monkeypatch.setenv(name, value)
    state = build(as_of=TODAY, return_state=True)
    assert state.result()["success"]
    with psycopg2.connect(url) as pg, pg.cursor() as cur:
        cur.execute("select count(*) from main.people where score is not null")
        assert cur.fetchone()[0] > 30
        # The run date came with the routing: decay and stages are measured to its end.
        cur.execute("select distinct cast(as_of_end as date) from main.int_build_window")
        assert cur.fetchall() == [(date(2026, 3, 2),)]
        cur.execute("select count(*) from main.int_routing_owners")
        assert cur.fetchone()[0] > 0
    # The nightly's build: no run date given, today's (UTC) on PostgreSQL's clock.
    assert build(return_state=True).result()["success"]
    with psycopg2.connect(url) as pg, pg.cursor() as cur:
        cur.execute("select distinct cast(as_of_end as date) from main.int_build_window")
        assert cur.fetchall() == [(datetime.now(UTC).date() + timedelta(days=1),)]
    with duckdb.connect(str(path)) as con:
        assert con.execute("select bool_and(success), count(*) from ops.builds").fetchone() == (True, 2)
        tables = "select count(*) from information_schema.tables where table_schema = 'main'"
        assert con.execute(tables).fetchone() == (0,)
    with psycopg2.connect(url) as pg, pg.cursor() as cur:
        cur.execute(
            "select count(*) from (select distinct vendor, object_type, record_id from main.crm_updates) q"
        )
        queued = cur.fetchone()[0]
    assert writeback(dry_run=True).records == queued > 0


def test_the_profiles_variables_come_from_dotenv_too(monkeypatch, tmp_path):
    """profiles.yml reads the postgres target's server from the environment: `.env` reaches it as
    it reaches every other setting, and the environment still wins."""
    from flows.build import profile_environment

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEADFLOW_PG_HOST", raising=False)
    monkeypatch.delenv("LEADFLOW_PG_DATABASE", raising=False)
    monkeypatch.setenv("LEADFLOW_PG_USER", "from-environment")
    (tmp_path / ".env").write_text(
        "LEADFLOW_PG_HOST=db.internal\nLEADFLOW_PG_USER=from-dotenv\nLEADFLOW_PG_DATABASE=leads\nOTHER=x\n"
    )
    profile_environment()
    assert os.environ["LEADFLOW_PG_HOST"] == "db.internal"
    assert os.environ["LEADFLOW_PG_DATABASE"] == "leads"
    assert os.environ["LEADFLOW_PG_USER"] == "from-environment"
    assert "OTHER" not in os.environ or os.environ["OTHER"] != "x"


def test_a_project_that_does_not_parse_raises_dbts_reason(prefect_harness, tmp_path):
    """The build parses the project itself first (flows/build.py parse_project): a broken file
    raises there, with dbt's error naming the file and what it lacks."""
    import shutil

    import pytest
    from prefect_dbt import PrefectDbtSettings

    from flows.build import parse_project
    from flows.settings import REPO_ROOT

    project = tmp_path / "dbt_project"
    shutil.copytree(
        REPO_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    (project / "models" / "marts" / "broken.sql").write_text("select {{ ref('no_such_model') }}\n")
    settings = PrefectDbtSettings(project_dir=project, profiles_dir=project)
    with pytest.raises(ValueError, match="broken") as raised:
        parse_project(settings, {})
    assert "no_such_model" in str(raised.value)
