"""deploy/prefect.yaml: the three deployments, their flows and parameters; `make deploy` registers them."""

from __future__ import annotations

import inspect
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from flows.settings import REPO_ROOT

PREFECT_FILE = REPO_ROOT / "deploy" / "prefect.yaml"
WORKERS_FILE = REPO_ROOT / "deploy" / "prefect.workers.yaml"


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(PREFECT_FILE.read_text())


@pytest.fixture(scope="module")
def deployments(config) -> dict[str, dict]:
    return {d["name"]: d for d in config["deployments"]}


def load(entrypoint: str):
    from prefect.flows import load_flow_from_entrypoint

    path, _, name = entrypoint.partition(":")
    return load_flow_from_entrypoint(f"{REPO_ROOT / path}:{name}")


def test_the_three_deployments_are_there(deployments):
    assert set(deployments) == {"nightly", "backfill", "writeback"}


@pytest.mark.parametrize("name", ["nightly", "backfill", "writeback"])
def test_entrypoints_resolve_to_flows_whose_signature_takes_the_parameters(deployments, name):
    from prefect import Flow

    deployment = deployments[name]
    flow = load(deployment["entrypoint"])
    assert isinstance(flow, Flow) and flow.name == name
    accepted = set(inspect.signature(flow.fn).parameters)
    assert set(deployment.get("parameters", {})) <= accepted, deployment["parameters"]
    # Prefect would refuse the run if a default parameter did not validate against the flow.
    flow.validate_parameters(
        {"since": "2024-01-01T00:00:00Z", **deployment["parameters"]}
        if name == "backfill"
        else deployment["parameters"]
    )
    assert flow.timeout_seconds, f"{name} has no timeout"
    assert flow.on_failure_hooks, f"{name} records no failure"


def test_writeback_by_hand_is_a_dry_run_and_the_nightly_writes(deployments):
    assert deployments["writeback"]["parameters"]["dry_run"] is True
    assert deployments["nightly"]["parameters"]["dry_run"] is False


def test_nightly_schedule_is_0200_in_a_configurable_zone(deployments, monkeypatch):
    from prefect.utilities.templating import apply_values

    (schedule,) = deployments["nightly"]["schedules"]
    monkeypatch.setenv("LEADFLOW_NIGHTLY_CRON", "0 2 * * *")
    monkeypatch.setenv("LEADFLOW_TIMEZONE", "America/New_York")
    resolved = apply_values(schedule, {})
    assert resolved["cron"] == "0 2 * * *" and resolved["timezone"] == "America/New_York"
    make = (REPO_ROOT / "Makefile").read_text()
    assert "LEADFLOW_NIGHTLY_CRON ?= 0 2 * * *" in make and "LEADFLOW_TIMEZONE    ?= UTC" in make


def test_nightly_and_writeback_never_overlap_themselves(deployments):
    for name in ("nightly", "writeback"):
        assert deployments[name]["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}


def test_each_work_pool_is_defined_in_one_file_only(config):
    """prefect.yaml: the process pool its deployments use; the container pools live in
    prefect.workers.yaml alone, so the two files cannot drift apart on a pool's settings."""
    pools = config["definitions"]["work_pools"]
    assert {p["name"] for p in pools.values()} == {"leadflow-process"}
    assert all(d["work_pool"]["name"] == "leadflow-process" for d in config["deployments"])
    workers = yaml.safe_load(WORKERS_FILE.read_text())
    container_pools = {p["name"] for p in workers["definitions"]["work_pools"].values()}
    assert container_pools == {"leadflow-docker", "leadflow-kubernetes"}
    for pool in workers["definitions"]["work_pools"].values():
        variables = pool["job_variables"]
        assert variables["image"] and variables["env"]["LEADFLOW_DUCKDB_PATH"]
        # No token is ever written into a deployment file.
        assert not any("TOKEN" in k or "SESSION" in k for k in variables["env"])
    # Both files schedule the nightly the same way.
    assert workers["definitions"]["schedules"] == config["definitions"]["schedules"]


def test_make_deploy_registers_the_deployments(prefect_harness, tmp_path):
    """`make deploy` against the session's Prefect server: pool created, deployments registered."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "LEADFLOW_TIMEZONE": "Europe/Paris",
    }
    done = subprocess.run(
        ["make", "-s", "deploy"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr

    with get_client(sync_client=True) as client:
        pool = client.read_work_pool("leadflow-process")
        assert pool.type == "process"
        nightly = client.read_deployment_by_name("nightly/nightly")
        writeback = client.read_deployment_by_name("writeback/writeback")
        backfill = client.read_deployment_by_name("backfill/backfill")
    (schedule,) = nightly.schedules
    assert schedule.schedule.cron == "0 2 * * *" and schedule.schedule.timezone == "Europe/Paris"
    assert nightly.global_concurrency_limit.limit == 1
    assert nightly.concurrency_options.collision_strategy == "ENQUEUE"
    assert writeback.global_concurrency_limit.limit == 1
    assert nightly.work_pool_name == "leadflow-process"
    assert writeback.parameters == {"dry_run": True}
    assert backfill.parameters == {"full_refresh": False}
    assert (
        Path(nightly.pull_steps[0]["prefect.deployments.steps.set_working_directory"]["directory"])
        == REPO_ROOT
    )


def test_container_pools_deploy_the_same_flows_as_the_process_pool(deployments):
    """deploy/prefect.workers.yaml: nightly, backfill and writeback on each container pool."""
    from prefect.utilities.templating import apply_values

    workers = yaml.safe_load(WORKERS_FILE.read_text())
    by_pool: dict[str, dict[str, dict]] = {}
    for deployment in workers["deployments"]:
        by_pool.setdefault(deployment["work_pool"]["name"], {})[deployment["entrypoint"]] = deployment
    assert set(by_pool) == {"leadflow-docker", "leadflow-kubernetes"}
    process = {d["entrypoint"]: d for d in deployments.values()}
    for pool, entries in by_pool.items():
        assert set(entries) == set(process), pool
        for entrypoint, deployment in entries.items():
            flow = load(entrypoint)  # the flow exists and loads from the file named
            assert deployment["parameters"] == process[entrypoint]["parameters"], (pool, entrypoint)
            flow.validate_parameters(
                {"since": "2024-01-01T00:00:00Z", **deployment["parameters"]}
                if flow.name == "backfill"
                else deployment["parameters"]
            )
            assert deployment.get("schedules") == process[entrypoint].get("schedules"), (pool, entrypoint)
            assert deployment.get("concurrency_limit") == process[entrypoint].get("concurrency_limit")
        variables = deployment["work_pool"]["job_variables"]
        assert not any("TOKEN" in k or "SESSION" in k for k in variables["env"])
        assert variables["env"]["LEADFLOW_HOME"] == "/opt/leadflow"
        assert apply_values(variables, {}) is not None
    # Flow runs start in the image's copy of the code.
    (step,) = workers["pull"]
    assert step["prefect.deployments.steps.set_working_directory"]["directory"] == "/opt/leadflow"


def test_worker_image_holds_the_code_the_deployments_run():
    """deploy/Dockerfile installs from uv.lock and copies every folder an entrypoint or a build reads."""
    dockerfile = (REPO_ROOT / "deploy" / "Dockerfile").read_text()
    assert "uv sync --frozen" in dockerfile and "COPY pyproject.toml uv.lock" in dockerfile
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    workers = yaml.safe_load(WORKERS_FILE.read_text())
    folders = {d["entrypoint"].split("/")[0] for d in workers["deployments"]}
    assert folders | {"connectors", "dbt_project"} <= copied
    assert "WORKDIR /opt/leadflow" in dockerfile
    manifests = list(yaml.safe_load_all((REPO_ROOT / "deploy" / "kubernetes" / "leadflow.yaml").read_text()))
    kinds = {m["kind"] for m in manifests}
    assert {"Namespace", "PersistentVolumeClaim", "Deployment", "ServiceAccount"} <= kinds
    (worker,) = [m for m in manifests if m["kind"] == "Deployment"]
    command = worker["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[command.index("--pool") + 1] == "leadflow-kubernetes"
    assert "leadflow-data" in (REPO_ROOT / "deploy" / "kubernetes" / "job-template.jq").read_text()
