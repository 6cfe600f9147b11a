"""`leadflow sandbox ...`: serve the emulated CRMs, fill them, inject faults, read their request log."""

from __future__ import annotations

import json
import signal
import threading
import time
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import requestlog
from .admin import SandboxAdmin
from .app import ENV_FILE, DirectoryInUse, Sandbox, SandboxSettings, hold_directory
from .faults import VENDORS, FaultPlan, load_plans

DEFAULT_DIR = Path(".leadflow/sandbox")

app = typer.Typer(help="The local Salesforce and HubSpot emulators that tests and the demo use.")

DirOption = Annotated[Path, typer.Option("--dir", help="Sandbox directory (records, CA, sandbox.env).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


class Vendor(StrEnum):
    salesforce = "salesforce"
    hubspot = "hubspot"
    both = "both"

    def names(self) -> tuple[str, ...]:
        return VENDORS if self is Vendor.both else (self.value,)


VendorOption = Annotated[Vendor, typer.Option("--vendor", help="Which CRM.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _running(directory: Path) -> SandboxAdmin:
    """The admin client of the sandbox serving `directory`, or a clear error if none is."""
    if not (directory / ENV_FILE).exists():
        raise _fail(f"no sandbox in {directory}: start one with `leadflow sandbox up --dir {directory}`")
    admin = SandboxAdmin(directory)
    if not admin.healthy():
        raise _fail(f"the sandbox of {directory} is not running: `leadflow sandbox up --dir {directory}`")
    return admin


@app.command()
def up(
    directory: DirOption = DEFAULT_DIR,
    salesforce_port: Annotated[int, typer.Option(help="0: a free port (the last one if free).")] = 0,
    hubspot_port: Annotated[int, typer.Option(help="0: a free port (the last one if free).")] = 0,
    hubspot_rate_limit: Annotated[int, typer.Option(help="HubSpot requests per 10 s per token.")] = 190,
    salesforce_daily_limit: Annotated[int, typer.Option(help="Salesforce DailyApiRequests Max.")] = 100_000,
    faults: Annotated[
        Path | None,
        typer.Option(help='JSON file of fault plans: {"salesforce": {"seed": 1, "rate_500": 0.05}, ...}.'),
    ] = None,
) -> None:
    """Serve both CRMs on 127.0.0.1 until interrupted; write DIR/sandbox.env for leadflow."""
    try:
        plans = load_plans(faults) if faults else {}
    except ValueError as err:
        raise _fail(f"--faults {err}") from None
    settings = SandboxSettings(
        hubspot_requests_per_10s=hubspot_rate_limit,
        salesforce_daily_limit=salesforce_daily_limit,
        faults=plans,
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with hold_directory(directory, "a starting sandbox"):  # before the store opens: a load may hold it
            pass
        box = Sandbox(directory, salesforce_port, hubspot_port, settings).start()
    except DirectoryInUse as err:
        raise _fail(str(err)) from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo(f"Salesforce  {box.url('salesforce')}")
    typer.echo(f"HubSpot     {box.url('hubspot')}")
    typer.echo(f"CA          {box.ca_path}")
    typer.echo(f"Settings    {box.directory / ENV_FILE}  (export them: set -a; . {box.directory / ENV_FILE})")
    for vendor, plan in plans.items():
        typer.echo(f"Faults      {vendor}: {plan.describe()}")
    stop.wait()
    box.stop()


@app.command()
def seed(
    directory: DirOption = DEFAULT_DIR,
    people: Annotated[int, typer.Option(help="How many people the company has.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same company.")] = 42,
    today: Annotated[str | None, typer.Option(help="Date the history ends (YYYY-MM-DD).")] = None,
) -> None:
    """Fill a running sandbox with a synthetic company, through its load endpoint."""
    from .seed import generate

    admin = _running(directory)
    day = date.fromisoformat(today) if today else None
    counts = admin.load(generate(people=people, seed=seed, today=day))
    for vendor, objects in counts.items():
        typer.echo(f"{vendor}: " + ", ".join(f"{n} {o}" for o, n in sorted(objects.items())))


@app.command()
def load(
    file: Annotated[Path, typer.Argument(help="JSON lines: {vendor, object, record}.")],
    directory: DirOption = DEFAULT_DIR,
    direct: Annotated[
        bool,
        typer.Option(help="Write straight into the store of a stopped sandbox, in one transaction (fast)."),
    ] = False,
) -> None:
    """Load records of any object, system fields included, into a running sandbox (or --direct)."""
    if direct:
        counts = _load_direct(file, directory)
    else:

        def lines():
            with file.open() as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except ValueError as err:
                            raise typer.BadParameter(f"{file}:{number}: not JSON ({err})") from None

        counts = _running(directory).load(lines())
    for vendor, objects in counts.items():
        if objects:
            typer.echo(f"{vendor}: " + ", ".join(f"{n} {o}" for o, n in sorted(objects.items())))


def _load_direct(file: Path, directory: Path) -> dict[str, dict[str, int]]:
    from .bulk import LoadError, load_direct

    started = time.perf_counter()
    try:
        with file.open("rb") as handle:
            counts = load_direct(directory, handle)
    except DirectoryInUse as err:
        raise _fail(
            f"{err}. A direct load needs the sandbox stopped: stop it (Ctrl-C on `leadflow sandbox "
            "up`), or load through it without --direct."
        ) from None
    except LoadError as err:
        raise _fail(f"{file}: {err}; nothing was loaded") from None
    except OSError as err:
        raise _fail(str(err)) from None
    seconds = time.perf_counter() - started
    total = sum(sum(objects.values()) for objects in counts.values())
    typer.echo(f"{total} records in {seconds:.1f} s ({total / max(seconds, 1e-9):,.0f} lines/s)")
    return counts


@app.command("faults")
def faults_(
    directory: DirOption = DEFAULT_DIR,
    vendor: VendorOption = Vendor.both,
    seed: Annotated[int, typer.Option(help="Seed of the draws: same seed, same requests, same faults.")] = 0,
    rate_429: Annotated[float | None, typer.Option(help="Share of requests refused as rate-limited.")] = None,
    rate_500: Annotated[float | None, typer.Option(help="Share answered 500.")] = None,
    rate_503: Annotated[float | None, typer.Option(help="Share answered 503.")] = None,
    rate_drop: Annotated[float | None, typer.Option(help="Share whose connection closes unanswered.")] = None,
    rate_slow: Annotated[float | None, typer.Option(help="Share answered --slow-ms late.")] = None,
    slow_ms: Annotated[int, typer.Option(help="How late a slow answer comes.")] = 2000,
    rate_expire: Annotated[float | None, typer.Option(help="Share answered 401 (expired session).")] = None,
    rate_lock: Annotated[float | None, typer.Option(help="Share of Salesforce writes row-locked.")] = None,
    rate_reset: Annotated[
        float | None, typer.Option(help="Share served, then cut off halfway through the answer.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the fault plan.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Show, set (any --rate-*) or --clear the fault plan of a running sandbox.

    A plan set here replaces the vendor's plan (rates not given are 0) and restarts its draws.
    """
    rates = {
        "rate_429": rate_429,
        "rate_500": rate_500,
        "rate_503": rate_503,
        "rate_drop": rate_drop,
        "rate_slow": rate_slow,
        "rate_expire": rate_expire,
        "rate_lock": rate_lock,
        "rate_reset": rate_reset,
    }
    given = {k: v for k, v in rates.items() if v is not None}
    if clear and given:
        raise _fail("--clear and --rate-* options do not go together")
    plan = None
    if clear:
        plan = FaultPlan()
    elif given:
        try:
            plan = FaultPlan(seed=seed, slow_ms=slow_ms, **given)
        except ValueError as err:
            raise _fail(str(err)) from None
    admin = _running(directory)
    shown = {}
    for name in vendor.names():
        answer = admin.set_faults(name, **plan.to_dict()) if plan else admin.faults(name)
        shown[name] = answer
    if json_out:
        typer.echo(json.dumps(shown, indent=2))
        return
    for name, answer in shown.items():
        typer.echo(f"{name:<11} {FaultPlan.from_dict(answer).describe()}")


@app.command("requests")
def requests_(
    directory: DirOption = DEFAULT_DIR,
    vendor: VendorOption = Vendor.both,
    after: Annotated[int, typer.Option(help="Only requests after this sequence number.")] = 0,
    json_out: JsonOption = False,
) -> None:
    """The requests a running sandbox answered: method, path, status, duration; then a summary."""
    admin = _running(directory)
    entries = admin.requests_log(None if vendor is Vendor.both else vendor.value, after)
    stats = requestlog.summary(entries)
    if json_out:
        typer.echo(json.dumps({"requests": entries, "summary": stats}, indent=2))
        return
    for line in requestlog.table(entries):
        typer.echo(line)
    typer.echo(requestlog.summary_line(stats))
