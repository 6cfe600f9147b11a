"""Run summaries as terminal tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

console = Console()
if not console.is_terminal:  # piped or under make: room for the example tables
    console.width = 120

STAGE_ORDER = ["subscriber", "lead", "mql", "sql", "opportunity", "customer"]


def print_summary(summary: dict) -> None:
    if summary.get("extracted"):
        table = Table(title="Extracted", title_justify="left")
        for col in ("object", "records read", "new", "changed", "seconds"):
            table.add_column(col, justify="left" if col == "object" else "right")
        for row in summary["extracted"]:
            table.add_row(
                f"{row['source']}.{row['object']}",
                str(row["records"]),
                str(row["new"]),
                str(row["changed"]),
                f"{row['seconds']:.1f}",
            )
        console.print(table)
    if summary.get("build"):
        build = summary["build"]
        nodes = ", ".join(f"{n} {s}" for s, n in sorted(build.get("nodes", {}).items()))
        console.print(f"dbt build: {'ok' if build.get('success') else 'FAILED'} ({nodes})")
    if summary.get("people"):
        print_people(summary["people"])
    if summary.get("routing"):
        print_routing(summary["routing"])
    if summary.get("writeback"):
        print_writeback(summary["writeback"])


def print_people(people: dict) -> None:
    table = Table(title=f"People: {people['people']}", title_justify="left")
    table.add_column("lifecycle stage")
    table.add_column("people", justify="right")
    stages = people.get("stages", {})
    for stage in STAGE_ORDER + sorted(set(stages) - set(STAGE_ORDER)):
        if stage in stages:
            table.add_row(stage, str(stages[stage]))
    console.print(table)
    tiers = people.get("tiers", {})
    console.print(
        "tiers: "
        + ", ".join(f"{t} {tiers[t]}" for t in ("Hot", "Warm", "Cold") if t in tiers)
        + f"; with an owner: {people.get('with_owner', 0)}"
    )


def print_routing(routing: dict) -> None:
    """Owners by reason code, the last build's new assignments by rule, SLA breaches."""
    reasons = routing.get("by_reason", {})
    console.print(
        "Owners by reason (MQL and beyond): "
        + (", ".join(f"{reason} {n}" for reason, n in reasons.items()) or "none")
    )
    if routing.get("assigned"):
        table = Table(title="Assigned in the last build", title_justify="left")
        for col in ("reason", "rule", "people"):
            table.add_column(col, justify="right" if col == "people" else "left")
        for row in routing["assigned"]:
            table.add_row(row["reason"], str(row["rule"] or ""), str(row["people"]))
        console.print(table)
    console.print(
        f"SLA: {routing.get('breaches', 0)} MQLs past their SLA, "
        f"{routing.get('rerouted', 0)} re-routed to the next owner"
    )


def print_what_if(result: dict) -> None:
    """Each owner's share under the routing file against now; each rotation's share against weights."""
    console.print(
        f"What-if {result['routing_file']}: the {result['people']} people who became MQL in the last "
        f"{result['days']} days (nothing was changed)"
    )
    table = Table(title="By owner", title_justify="left")
    for col in ("owner", "what-if", "share", "now", "share now"):
        table.add_column(col, justify="left" if col == "owner" else "right")
    for row in result["owners"]:
        table.add_row(
            row["owner"] or "(nobody)",
            str(row["assignments"]),
            _percent(row["share"]),
            str(row["now"]),
            _percent(row["now_share"]),
        )
    console.print(table)
    table = Table(title="By rule", title_justify="left")
    for col in ("rule", "team", "owner", "assignments", "share", "weight share"):
        table.add_column(col, justify="right" if col in ("assignments", "share", "weight share") else "left")
    for row in result["rules"]:
        table.add_row(
            row["rule"] or "(no rule found anyone)",
            row["team"] or "",
            row["owner"] or "(nobody)",
            str(row["assignments"]),
            _percent(row["share"]),
            _percent(row["weight_share"]),
        )
    console.print(table)


def _percent(value) -> str:
    return "" if value is None else f"{value:.1%}"


def print_writeback(result: dict) -> None:
    verb = "would change" if result.get("dry_run") else "changed"
    console.print(
        f"Write-back: {result['records']} CRM records {verb}; written {result.get('written', 0)}, "
        f"rejected {result.get('rejected', 0)}, API calls {result.get('calls', 0)}"
        + (f", retried {result['retried']}" if result.get("retried") else "")
        + (
            f", found already written after an interrupted run {result['recovered']}"
            if result.get("recovered")
            else ""
        )
    )
    if result.get("fields"):
        table = Table(
            title="Fields written" if not result.get("dry_run") else "Fields to write",
            title_justify="left",
        )
        table.add_column("field")
        table.add_column("records", justify="right")
        table.add_column("most common new values")
        for name, count in sorted(result["fields"].items()):
            values = result.get("new_values", {}).get(name, {})
            common = sorted(values.items(), key=lambda kv: -kv[1])[:4]
            table.add_row(name, str(count), ", ".join(f"{v} ({n})" for v, n in common))
        console.print(table)
    for reject in result.get("rejects", [])[:20]:
        console.print(
            f"[red]rejected[/red] {reject['vendor']} {reject['object_type']} "
            f"{reject['record_id']}: {reject['code']} {reject['message']}"
        )
    conflicts = result.get("conflicts", [])
    if conflicts:
        console.print(
            f"[yellow]{len(conflicts)} fields left as people set them[/yellow] "
            "(changed in the CRM since leadflow wrote them; see ops.conflicts):"
        )
        for c in conflicts[:20]:
            console.print(
                f"  {c['vendor']} {c['object_type']} {c['record_id']} {c['field_name']}: "
                f"CRM has {c['crm_value']}, leadflow wrote {c['written_value']}, "
                f"would write {c['wanted_value']}"
            )
    if result.get("dry_run") and result.get("diff"):
        table = Table(title="Diff", title_justify="left")
        for col in ("vendor", "object", "record", "field", "old", "new"):
            table.add_column(col)
        for d in result["diff"]:
            table.add_row(
                d["vendor"],
                d["object_type"],
                d["record_id"],
                d["field"],
                str(d["old"]),
                str(d["new"]),
            )
        console.print(table)
