"""`leadflow status`: what the warehouse keeps about the last runs and what waits for someone.

Runs, watermarks, budget and rejects are leadflow's own (ops.*, the DuckDB file); the queue, the
quarantine and the SLA breaches are the last build's marts, wherever it wrote them (flows/marts.py).
"""

from __future__ import annotations

from pathlib import Path

from flows.changes import pending_changes
from flows.marts import joinable, open_marts
from flows.reading import Reader
from flows.settings import load_settings

RUNS_SHOWN = 10


def status(duckdb_path: Path | str | None = None) -> dict:
    """Runs, watermarks, API budget, write-back queue, rejects, quarantine, open SLA breaches; read only."""
    settings = load_settings()
    path = duckdb_path or settings.duckdb_path
    with Reader(path) as db, open_marts(settings, db) as marts:
        ops = db.table_exists("ops", "runs")
        built = marts.table_exists("main", "people")
        out = {
            "warehouse": str(path),
            "built": built,
            "runs": _runs(db) if ops else [],
            "last_build": _last_build(db) if ops else None,
            "objects": _objects(db) if ops else [],
            "api_budget": _budget(db),
            "writeback": _queue(db, marts, frozenset(settings.writeback_protected_fields)) if built else None,
            "rejects": _rejects(db) if ops else {"open": 0, "by_code": {}},
            "quarantine": _quarantine(marts) if marts.table_exists("main", "quarantine") else None,
            "sla": _sla(marts) if built and marts.table_exists("main", "int_mql_sla") else None,
        }
    out["has_run"] = bool(out["runs"] or out["objects"] or built)
    return out


def _runs(db: Reader) -> list[dict]:
    """Completed runs (ops.runs) and failed ones (ops.run_failures), newest first."""
    return db.records(
        f"""
        select flow, started_at, finished_at, status, null as message from ops.runs
        union all
        select flow, failed_at, failed_at, lower(state), coalesce(error || ': ', '') || coalesce(message, '')
        from ops.run_failures
        order by started_at desc
        limit {RUNS_SHOWN}
        """
    )


def _last_build(db: Reader) -> dict | None:
    rows = db.records(
        "select started_at, finished_at, success from ops.builds order by finished_at desc limit 1"
    )
    return rows[0] if rows else None


def _objects(db: Reader) -> list[dict]:
    """Every object's watermark beside its last extract (status, records, when)."""
    return db.records(
        """
        with last as (
            select *, row_number() over (partition by source, object order by finished_at desc) as nth
            from ops.extract_log
        )
        select coalesce(w.source, l.source) as source, coalesce(w.object, l.object) as object,
               w.watermark, l.finished_at as last_extract_at, l.status as last_status,
               l.records as last_records, l.count_difference
        from ops.watermarks w
        full join (select * from last where nth = 1) l on l.source = w.source and l.object = w.object
        order by 1, 2
        """
    )


def _budget(db: Reader) -> list[dict]:
    if not db.table_exists("ops", "api_budget"):
        return []
    return db.records(
        "select source, calls_left, daily_limit, reserve, seen_at from ops.api_budget order by source"
    )


def _queue(db: Reader, marts, protected: frozenset[str]) -> dict:
    """Records the next write-back would send, per vendor (as write-back itself counts them)."""
    if not db.table_exists("ops", "written_values"):
        rows = marts.query(
            "select vendor, count(distinct object_type || record_id) from main.crm_updates group by 1"
        )
        return {"records": sum(n for _, n in rows), "by_vendor": dict(rows), "conflicts": 0}
    changes, conflicts = pending_changes(db, None, protected, joinable(marts, db, "crm_updates"))
    by_vendor: dict[str, int] = {}
    for change in changes:
        by_vendor[change.vendor] = by_vendor.get(change.vendor, 0) + 1
    return {"records": len(changes), "by_vendor": by_vendor, "conflicts": len(conflicts)}


def _rejects(db: Reader) -> dict:
    """Refused records not yet written since, by vendor and the vendor's code."""
    rows = db.query(
        "select vendor, code, count(*) from ops.rejects where resolved_at is null "
        "group by 1, 2 order by 3 desc"
    )
    return {"open": sum(n for *_, n in rows), "by_code": {f"{v} {c}": n for v, c, n in rows}}


def _quarantine(marts) -> dict:
    """Bad input the last build named (main.quarantine, a view: computed now), by reason."""
    # One pass over the view (it reads every raw record): the reasons, and the records in all.
    rows = marts.query(
        """
        with quarantined as materialized (
            select reason, vendor, object_type, record_id from main.quarantine
        )
        select
            reason,
            count(*),
            (select count(distinct (vendor, object_type, record_id)) from quarantined)
        from quarantined
        group by reason
        """
    )
    return {
        "values": sum(n for _, n, _ in rows),
        "records": rows[0][2] if rows else 0,
        "by_reason": {reason: n for reason, n, _ in sorted(rows, key=lambda r: (-r[1], r[0]))},
    }


def _sla(marts) -> dict:
    """MQLs past their SLA whose person is still an MQL, by owner."""
    rows = marts.query(
        """
        select coalesce(s.owner_email, '(nobody)'), count(*)
        from main.int_mql_sla s
        inner join main.people p using (person_id)
        where s.breach_kind is not null and p.lifecycle_stage = 'mql'
        group by 1 order by 2 desc, 1
        """
    )
    total = marts.query("select count(*) from main.int_mql_sla where breach_kind is not null")[0][0]
    return {"open": sum(n for _, n in rows), "by_owner": dict(rows), "all_time": total}
