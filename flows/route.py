"""Owner routing at a glance: assignments by reason code, and a routing file tried on past MQLs.

The rules themselves live in dbt_project/ (routing.yml, int_owner_assignment); this module only
reads what the last build decided, and renders the routing_what_if model from another routing
file with `dbt show`, which runs one query and builds nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

from dbt.cli.main import dbtRunner

from flows.marts import MartsUnavailable, open_marts
from flows.settings import load_settings
from flows.warehouse import Warehouse


class WhatIfError(RuntimeError):
    """The what-if could not run: a bad routing file, or no build to replay."""


def routing_summary(duckdb_path: Path | str | None = None) -> dict:
    """People from MQL on by owner reason; the last build's new assignments by reason and rule; breaches.

    Read from `duckdb_path` when given, else where the configured build writes its marts.
    """
    settings = load_settings()
    if duckdb_path is not None or settings.builds_in_duckdb:
        with Warehouse(duckdb_path or settings.duckdb_path) as wh:
            return _summary(wh)
    try:
        with open_marts(settings) as marts:
            return _summary(marts)
    except MartsUnavailable:
        return {}  # a target whose marts leadflow cannot read (the build summary goes on)


def _summary(marts) -> dict:
    if not marts.table_exists("main", "owner_assignments"):
        return {}
    reasons = dict(
        marts.query(
            "select owner_reason, count(*) from main.int_owner_assignment "
            "where owner_reason <> 'below_mql' group by 1 order by 2 desc"
        )
    )
    latest = marts.query("select max(built_at) from main.owner_assignments")[0][0]
    assigned = marts.query(
        "select owner_reason, owner_rule, count(*) from main.owner_assignments "
        "where built_at = ? group by 1, 2 order by 3 desc, 1, 2",
        (latest,),
    )
    breaches, rerouted = marts.query(
        "select count(*) filter (where breach_kind is not null), count(*) filter (where is_reroute_due) "
        "from main.int_mql_sla"
    )[0]
    return {
        "by_reason": reasons,
        "assigned": [{"reason": r, "rule": rule, "people": n} for r, rule, n in assigned],
        "breaches": breaches,
        "rerouted": rerouted,
    }


def what_if(routing_file: Path, days: int = 30, as_of: date | None = None) -> dict:
    """How `routing_file` would have assigned the MQLs of the last `days` days; changes nothing."""
    routing_file = Path(routing_file).resolve()
    if not routing_file.is_file():
        raise WhatIfError(f"{routing_file} does not exist")
    if days < 1:
        raise WhatIfError(f"--days must be 1 or more, got {days}")
    settings = load_settings()
    if not settings.duckdb_path.exists():
        raise WhatIfError(f"{settings.duckdb_path} does not exist: run a build first")
    with Warehouse(settings.duckdb_path) as wh:
        built = wh.table_exists("main", "people") and wh.table_exists("main", "owner_assignments")
    if not built:
        raise WhatIfError(f"{settings.duckdb_path} holds no build yet: run `leadflow run build` first")
    project = settings.dbt_project_dir.resolve()
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(settings.duckdb_path.resolve())
    variables = {"routing_file": str(routing_file), "what_if_days": days}
    if as_of is not None:
        variables["as_of"] = as_of.isoformat()
    # Artifacts of its own: the production target/ (and a nightly using it) is left alone.
    with tempfile.TemporaryDirectory(prefix="leadflow-what-if-") as scratch:
        result = dbtRunner().invoke(
            [
                "show",
                "--select",
                "routing_what_if",
                "--limit",
                "-1",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
                "--target-path",
                str(Path(scratch) / "target"),
                "--log-path",
                str(Path(scratch) / "logs"),
                "--vars",
                json.dumps(variables),
                # Not even the preview table on stdout: the caller prints (or --json dumps) the result.
                "--log-level",
                "none",
            ]
        )
    if not result.success:
        raise WhatIfError(_dbt_error(result))
    table = result.result.results[0].agate_table
    rows = [dict(zip(table.column_names, (_plain(v) for v in row), strict=True)) for row in table.rows]
    return _shares(rows, routing_file, days)


def _dbt_error(result) -> str:
    """The message dbt gave (a compile error names the routing file, entry and key)."""
    if result.exception is not None:
        return str(result.exception)
    for node in getattr(result.result, "results", None) or []:
        if getattr(node, "message", None):
            return str(node.message)
    return "dbt show failed"


def _plain(value):
    """agate's Decimal as int or float, for JSON."""
    if value is None or isinstance(value, bool | int | str):
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


def _shares(rows: list[dict], routing_file: Path, days: int) -> dict:
    """The model's rows as owners (what-if against now) and rotation rules (against weights)."""
    people = rows[0]["people"] if rows else 0
    owners: dict[str | None, dict] = {}
    for row in rows:
        owners.setdefault(
            row["owner_email"],
            {
                "owner": row["owner_email"],
                "name": row["owner_name"],
                "assignments": row["owner_assignments"],
                "share": row["owner_share"],
                "now": row["actual_assignments"],
                "now_share": row["actual_share"],
            },
        )
    rules = [
        {
            "rule": row["rule_name"],
            "reason": row["owner_reason"],
            "team": row["team"],
            "owner": row["owner_email"],
            "assignments": row["assignments"],
            "share": row["rule_share"],
            "weight_share": row["weight_share"],
        }
        for row in sorted(
            rows, key=lambda r: (r["rule_order"] is None, r["rule_order"] or 0, r["owner_email"] or "")
        )
        if row["rule_name"] is not None or row["assignments"]
    ]
    return {
        "routing_file": str(routing_file),
        "days": days,
        "people": people,
        "owners": sorted(owners.values(), key=lambda o: (-o["assignments"], o["owner"] or "")),
        "rules": rules,
    }
