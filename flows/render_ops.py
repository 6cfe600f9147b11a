"""`leadflow status`, `explain` and `config check` as terminal tables."""

from __future__ import annotations

from rich.table import Table

from flows.render import console


def _when(value) -> str:
    return "" if value is None else str(value)[:19]


def _points(value) -> str:
    return f"{value:+.2f}" if value is not None else ""


def print_status(s: dict) -> None:
    console.print(f"Warehouse: {s['warehouse']}")
    if not s["has_run"]:
        console.print("Nothing has run yet: try `leadflow run nightly` (or `leadflow demo`).")
        return
    runs = Table(title="Last runs", title_justify="left")
    for col in ("flow", "started", "finished", "outcome", "reason"):
        runs.add_column(col)
    for r in s["runs"]:
        runs.add_row(
            r["flow"], _when(r["started_at"]), _when(r["finished_at"]), r["status"], r["message"] or ""
        )
    console.print(runs if s["runs"] else "Last runs: none recorded")
    if s["last_build"]:
        b = s["last_build"]
        console.print(f"Last build: {'ok' if b['success'] else 'FAILED'} at {_when(b['finished_at'])}")
    objects = Table(title="Objects", title_justify="left")
    for col in ("object", "watermark", "last extract", "status", "records", "source - warehouse"):
        objects.add_column(col, justify="right" if col in ("records", "source - warehouse") else "left")
    for o in s["objects"]:
        objects.add_row(
            f"{o['source']}.{o['object']}",
            _when(o["watermark"]),
            _when(o["last_extract_at"]),
            o["last_status"] or "",
            "" if o["last_records"] is None else f"{o['last_records']:,}",
            "" if o["count_difference"] is None else str(o["count_difference"]),
        )
    console.print(objects if s["objects"] else "Objects: none extracted yet")
    for b in s["api_budget"]:
        limit = f" of {b['daily_limit']:,}" if b["daily_limit"] else ""
        console.print(
            f"API budget {b['source']}: {b['calls_left']:,}{limit} calls left today "
            f"(reserve {b['reserve']:,}; seen {_when(b['seen_at'])})"
        )
    if not s["api_budget"]:
        console.print("API budget: not seen yet (an extract records what the vendors say is left)")
    q = s["writeback"]
    if q is not None:
        vendors = ", ".join(f"{v} {n:,}" for v, n in sorted(q["by_vendor"].items())) or "none"
        console.print(
            f"Waiting for write-back: {q['records']:,} records ({vendors}); conflicts {q['conflicts']}"
        )
    rejects = s["rejects"]
    by_code = ", ".join(f"{k} {n}" for k, n in rejects["by_code"].items())
    console.print(f"Rejects open: {rejects['open']}" + (f" ({by_code})" if by_code else ""))
    quarantine = s.get("quarantine")
    if quarantine is not None:
        reasons = ", ".join(f"{r} {n}" for r, n in quarantine["by_reason"].items())
        console.print(
            f"Quarantined (main.quarantine): {quarantine['values']:,} values of {quarantine['records']:,} "
            "records" + (f" ({reasons})" if reasons else "")
        )
    if s["sla"] is not None:
        owners = ", ".join(f"{o} {n}" for o, n in list(s["sla"]["by_owner"].items())[:5])
        console.print(f"SLA breaches open: {s['sla']['open']}" + (f" ({owners})" if owners else ""))
    if not s["built"]:
        console.print("No build yet: scores, write-back queue and SLA appear after `leadflow run build`.")


def print_explain(people: list[dict]) -> None:
    for p in people:
        _print_person(p)


def _print_person(p: dict) -> None:
    console.print(
        f"[bold]{p['name'] or p['email']}[/bold] <{p['email']}> {p['title'] or ''} at {p['company'] or '?'}"
        f"\nscore {p['score']} = fit {p['fit_score']} (grade {p['fit_grade']}) + engagement "
        f"{p['engagement_score']} (level {p['engagement_level']}); tier {p['tier']}; "
        f"stage {p['lifecycle_stage']}; as of {p['scored_as_of']}"
    )
    fit = Table(title=f"Fit: {p['totals']['fit']:g} points", title_justify="left")
    for col in ("attribute", "value", "points"):
        fit.add_column(col, justify="right" if col == "points" else "left")
    for e in p["fit"]:
        fit.add_row(e["rule"], str(e["value"]), _points(e["points"]))
    console.print(fit)
    eng = Table(title=f"Engagement: {p['totals']['engagement']:g} points", title_justify="left")
    for col in ("rule", "activity", "when", "given", "left now"):
        eng.add_column(col, justify="right" if col in ("given", "left now") else "left")
    for e in p["engagement"]:
        activity = ""
        if e["kind"] == "activity":
            activity = f"{e['source']}: {e['source_value'] or ''}" + (" (capped)" if e["capped"] else "")
        elif e["kind"] in ("group_cap", "engagement_cap"):
            activity = f"cap of {e['rule_points']:g}"
        rule = e["rule"] if e["kind"] in ("activity", "field_signal") else f"{e['kind']} {e['rule']}"
        eng.add_row(
            rule, activity, _when(e.get("occurred_at")), _points(e.get("points_given")), _points(e["points"])
        )
    console.print(eng)
    stages = Table(title="Lifecycle", title_justify="left")
    for col in ("stage", "reached", "last entered", "rule"):
        stages.add_column(col)
    for d in p["stage_dates"]:
        inferred = " (inferred)" if d["inferred"] else ""
        stages.add_row(d["stage"] + inferred, _when(d["at"]), _when(d["last_entered_at"]), d["rule"] or "")
    console.print(stages)
    if p["history"]:
        history = Table(title="As each build saw them", title_justify="left")
        for col in ("from", "until", "stage", "score", "fit", "engagement", "tier"):
            history.add_column(col)
        for h in p["history"]:
            history.add_row(
                _when(h["valid_from"]),
                _when(h["valid_to"]) or "now",
                h["lifecycle_stage"],
                str(h["score"]),
                str(h["fit_score"]),
                str(h["engagement_score"]),
                h["tier"],
            )
        console.print(history)
    o = p["owner"]
    console.print(
        f"Owner: {o['email'] or o['salesforce_user_id'] or o['hubspot_owner_id'] or 'nobody'}; "
        f"reason {o['reason']}" + (f", rule {o['rule']}" if o["rule"] else "")
    )
    for a in o["assignments"]:
        previous = f" (was {a['previous_owner_email']})" if a["previous_owner_email"] else ""
        console.print(f"  {_when(a['assigned_at'])} {a['owner_email']}: {a['owner_reason']}{previous}")


def print_config_check(result: dict) -> None:
    for what, where in result["checked"].items():
        console.print(f"{what}: {where}")
    for problem in result["problems"]:
        console.print(
            f"[red]{problem['file']}:{problem['line']}[/red]: {problem['message']}", highlight=False
        )
    console.print("All valid." if result["ok"] else f"{len(result['problems'])} problems.")
