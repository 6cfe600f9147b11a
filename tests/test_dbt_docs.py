"""`dbt docs generate` on the project built from the raw fixture: every model, seed, snapshot,
source and unit test has a description, and so has every column the built relations hold."""

from __future__ import annotations

import json

import pytest

from connectors.sandbox.seed import generate, product_usage
from tests.raw_fixture import load_raw, with_calendar_events, write_product_usage
from tests.test_dbt import TODAY, dbt_build

PEOPLE = 40
DOCUMENTED = ("model", "seed", "snapshot", "source")


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """A small company landed raw, its relations built (no tests), and the docs generated."""
    workdir = tmp_path_factory.mktemp("dbt_docs")
    load_raw(workdir / "leadflow.duckdb", with_calendar_events(generate(people=PEOPLE, seed=7, today=TODAY)))
    write_product_usage(workdir / "usage", product_usage(people=PEOPLE, seed=7, today=TODAY))
    with pytest.MonkeyPatch.context() as monkeypatch:
        dbt_build(
            workdir,
            monkeypatch,
            ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"),
        )
        dbt_build(workdir, monkeypatch, ("docs", "generate"))
    manifest = json.loads((workdir / "target" / "manifest.json").read_text())
    catalog = json.loads((workdir / "target" / "catalog.json").read_text())
    return manifest, catalog


def described(entry: dict) -> bool:
    return bool((entry.get("description") or "").strip())


def test_every_node_is_described(docs):
    manifest, _ = docs
    nodes = {**manifest["nodes"], **manifest["sources"]}
    documented = [uid for uid, node in nodes.items() if node["resource_type"] in DOCUMENTED]
    assert len([uid for uid in documented if uid.startswith("model.")]) > 30
    missing = [uid for uid in documented if not described(nodes[uid])]
    missing += [uid for uid, test in manifest.get("unit_tests", {}).items() if not described(test)]
    assert not missing, missing


def test_every_built_column_is_described(docs):
    manifest, catalog = docs
    nodes = {**manifest["nodes"], **manifest["sources"]}
    relations = {**catalog["nodes"], **catalog["sources"]}
    missing, stale = [], []
    for uid, node in nodes.items():
        if node["resource_type"] not in DOCUMENTED:
            continue
        assert uid in relations, f"{uid} was not built"
        built = {name.lower() for name in relations[uid]["columns"]}
        documented = {name.lower(): col for name, col in node["columns"].items()}
        missing += [f"{uid}.{name}" for name in sorted(built) if not described(documented.get(name, {}))]
        # A description of a column the relation no longer has misleads whoever reads the docs.
        stale += [f"{uid}.{name}" for name in sorted(documented) if name not in built]
    assert not missing, f"columns without a description: {missing}"
    assert not stale, f"descriptions of columns the relation does not have: {stale}"
