"""`make demo`: sandbox CRMs up, a synthetic company in, nightly run, results read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.table import Table

from flows.render import console, print_summary


def _start_sandbox(directory: Path) -> tuple[subprocess.Popen, Path]:
    from connectors.sandbox.admin import SandboxAdmin

    env_file = directory / "sandbox.env"
    log = (directory / "sandbox.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "connectors.sandbox", "up", "--dir", str(directory)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the sandbox exited early; see {directory / 'sandbox.log'}")
        if env_file.exists() and SandboxAdmin(env_file).healthy():
            return proc, env_file
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the sandbox did not answer within 60 s")


def run_demo(directory: Path, people: int, seed: int) -> int:
    from connectors.sandbox.admin import SandboxAdmin, read_env
    from connectors.sandbox.seed import generate

    started = time.perf_counter()
    directory = directory.resolve()
    if directory.exists():
        shutil.rmtree(directory)  # the demo always starts from the same company
    (directory / "sandbox").mkdir(parents=True)
    proc, env_file = _start_sandbox(directory / "sandbox")
    try:
        counts = SandboxAdmin(env_file).load(generate(people=people, seed=seed))
        for vendor, objects in counts.items():
            console.print(
                f"[bold]{vendor}[/bold] sandbox filled: "
                + ", ".join(f"{n} {o}" for o, n in sorted(objects.items()))
            )
        os.environ.update(read_env(env_file))
        os.environ["LEADFLOW_DUCKDB_PATH"] = str(directory / "leadflow.duckdb")
        setup = time.perf_counter() - started

        from flows.nightly import nightly

        run_started = time.perf_counter()
        summary = nightly()
        run_seconds = time.perf_counter() - run_started
        print_summary(summary)
        show_examples()
        console.print(
            f"\nSet-up (sandbox start and seeding) {setup:.1f} s; nightly run {run_seconds:.1f} s."
            f"\nThe sandbox has stopped; its records stay in {directory / 'sandbox'}: "
            f"`leadflow sandbox up --dir {directory / 'sandbox'}` serves them again."
        )
        return 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def show_examples(count: int = 3) -> None:
    """A few MQL records as sales reps see them, read back through the vendor clients."""
    from connectors.hubspot import HubSpotSource
    from connectors.salesforce import SalesforceSource
    from flows.settings import load_settings

    settings = load_settings()
    sf = SalesforceSource(settings.salesforce())
    leads = sf.query(
        "SELECT Id, Name, Company, Lead_Score__c, Lead_Tier__c, Lifecycle_Stage__c, MQL_Date__c, "
        "OwnerId FROM Lead WHERE Lifecycle_Stage__c = {} ORDER BY Lead_Score__c DESC LIMIT {:literal}",
        "MQL",
        str(count),
    )
    owners = {u["Id"]: u["Name"] for u in sf.query("SELECT Id, Name FROM User")}
    table = Table(title="Salesforce Leads at MQL (read back with simple-salesforce)", title_justify="left")
    for col in ("Id", "Name", "Company", "Score", "Tier", "Stage", "MQL date", "Owner"):
        table.add_column(col)
    for lead in leads:
        table.add_row(
            lead["Id"],
            lead["Name"],
            lead.get("Company") or "",
            f"{lead['Lead_Score__c']:.0f}",
            lead["Lead_Tier__c"],
            lead["Lifecycle_Stage__c"],
            str(lead["MQL_Date__c"]),
            owners.get(lead["OwnerId"], lead["OwnerId"]),
        )
    console.print(table)

    hs = HubSpotSource(settings.hubspot())
    props = [
        "email",
        "leadflow_score",
        "leadflow_tier",
        "lifecyclestage",
        "leadflow_mql_date",
        "hubspot_owner_id",
    ]
    contacts = hs.search("contacts", "lifecyclestage", "marketingqualifiedlead", props, count)
    table = Table(title="HubSpot contacts at MQL (read back with hubspot-api-client)", title_justify="left")
    for col in ("id", *props):
        table.add_column(col)
    for c in contacts:
        table.add_row(c["id"], *[str(c["properties"].get(p) or "") for p in props])
    console.print(table)
