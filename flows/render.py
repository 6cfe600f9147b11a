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
