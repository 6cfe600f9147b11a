"""The raw layer: idempotent merges, watermarks that only move forward, rejects kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from connectors.records import RawRecord, WriteResult
from flows.changes import Change, pending_changes, same_value
from flows.ledger import close_batch, open_batch
from flows.warehouse import Warehouse

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def rec(rid: str, minutes: int, body: dict | None = None, deleted: bool = False) -> RawRecord:
    return RawRecord(rid, T0 + timedelta(minutes=minutes), deleted, body or {"Id": rid, "v": minutes})


def test_same_page_twice_changes_nothing(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        page = [rec("a", 1), rec("b", 2)]
        first = wh.land("raw_x", "t", page, "x", "t", checkpoint=T0 + timedelta(minutes=2))
        loaded_at = wh.query("select id, _loaded_at from raw_x.t order by id")
        again = wh.land("raw_x", "t", page, "x", "t", checkpoint=T0 + timedelta(minutes=2))
        assert (first.new, first.changed) == (2, 0)
        assert (again.new, again.changed) == (0, 0)
        assert wh.query("select id, _loaded_at from raw_x.t order by id") == loaded_at


def test_changed_record_replaces_and_duplicates_in_a_page_keep_newest(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.land("raw_x", "t", [rec("a", 1)], "x", "t")
        landed = wh.land("raw_x", "t", [rec("a", 5, {"v": "new"}), rec("a", 3, {"v": "old"})], "x", "t")
        assert (landed.records, landed.new, landed.changed) == (1, 0, 1)
        assert wh.query("select count(*), any_value(record->>'v') from raw_x.t") == [(1, "new")]


def test_a_page_of_new_changed_and_unchanged_records_counts_each(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.land("raw_x", "t", [rec("a", 1), rec("b", 2), rec("c", 3)], "x", "t")
        page = [rec("a", 1), rec("b", 9, {"v": "edited"}), rec("d", 4), rec("e", 5), rec("d", 2)]
        landed = wh.land("raw_x", "t", page, "x", "t")
        assert (landed.records, landed.new, landed.changed) == (4, 2, 1)
        assert wh.query("select count(*) from raw_x.t") == [(5,)]


def test_deleted_flag_lands(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.land("raw_x", "t", [rec("a", 1)], "x", "t")
        wh.land("raw_x", "t", [rec("a", 2, deleted=True)], "x", "t")
        assert wh.query("select is_deleted from raw_x.t") == [(True,)]


def test_watermark_never_moves_backwards(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.land("raw_x", "t", [rec("a", 10)], "x", "t", checkpoint=T0 + timedelta(minutes=10))
        wh.land("raw_x", "t", [rec("b", 1)], "x", "t", checkpoint=T0 + timedelta(minutes=1))
        assert wh.watermark("x", "t") == T0 + timedelta(minutes=10)


def test_failed_page_leaves_rows_and_watermark_untouched(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.land("raw_x", "t", [rec("a", 1)], "x", "t", checkpoint=T0)
        # The watermark write fails after the rows went in: the whole page must roll back.
        with pytest.raises((AttributeError, duckdb.Error)):
            wh.land("raw_x", "t", [rec("c", 9)], "x", "t", checkpoint="not a time")
        assert wh.query("select id from raw_x.t order by id") == [("a",)]
        assert wh.watermark("x", "t") == T0


def _queue(wh: Warehouse, rows: list[tuple]) -> None:
    wh.con.execute(
        "create or replace table main.crm_updates (vendor varchar, object_type varchar, record_id varchar,"
        " person_id varchar, field_name varchar, current_value varchar, new_value varchar,"
        " clear_first boolean default false)"
    )
    wh.con.executemany(
        "insert into main.crm_updates (vendor, object_type, record_id, person_id, field_name, "
        "current_value, new_value) values (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _close(wh: Warehouse, run: str, changes: list[Change], results: list[WriteResult]) -> None:
    close_batch(wh, open_batch(wh, run, changes), run, changes, results)


def test_rejects_are_kept_and_validation_errors_not_resent_for_same_values(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _queue(
            wh,
            [
                ("salesforce", "Lead", "L1", "p1", "Lead_Score__c", None, "40"),
                ("salesforce", "Lead", "L1", "p1", "Lead_Tier__c", None, "Warm"),
                ("salesforce", "Lead", "L2", "p2", "Lead_Score__c", None, "10"),
                ("hubspot", "contacts", "7", "p1", "leadflow_score", None, "40"),
            ],
        )
        changes, _ = pending_changes(wh)
        assert [(c.vendor, c.record_id, len(c.fields)) for c in changes] == [
            ("hubspot", "7", 1),
            ("salesforce", "L1", 2),
            ("salesforce", "L2", 1),
        ]
        sf = [c for c in changes if c.vendor == "salesforce"]
        _close(
            wh,
            "run1",
            sf,
            [
                WriteResult(
                    "L1", False, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "bad value", ("Lead_Tier__c",)
                ),
                WriteResult("L2", False, "UNABLE_TO_LOCK_ROW", "locked", retryable=True),
            ],
        )
        assert wh.query("select record_id, code, retryable from ops.rejects order by 1") == [
            ("L1", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", False),
            ("L2", "UNABLE_TO_LOCK_ROW", True),
        ]
        # Same values again: the validation refusal is held back, the lock is retried.
        assert {c.record_id for c in pending_changes(wh, "salesforce")[0]} == {"L2"}
        # New values for L1: it is sent again.
        wh.con.execute("update main.crm_updates set new_value = 'Hot' where field_name = 'Lead_Tier__c'")
        again = pending_changes(wh, "salesforce")[0]
        assert {c.record_id for c in again} == {"L1", "L2"}
        _close(wh, "run2", again, [WriteResult("L1", True), WriteResult("L2", True)])
        assert wh.query("select count(*) from ops.rejects where resolved_at is null") == [(0,)]
        assert wh.query("select count(*) from ops.writeback_log") == [(3,)]
        assert wh.query("select count(*) from ops.writeback_batches where state = 'done'") == [(2,)]


def test_a_protected_field_changed_by_hand_is_left_and_reported(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _queue(
            wh,
            [
                ("salesforce", "Lead", "L1", "p1", "OwnerId", "005A", "005B"),
                ("salesforce", "Lead", "L1", "p1", "Lead_Score__c", "10", "40"),
                ("salesforce", "Lead", "L2", "p2", "OwnerId", "005C", "005B"),
            ],
        )
        wh.con.execute(
            "insert into ops.written_values values "
            "('salesforce', 'Lead', 'L1', 'OwnerId', '005Z', now()), "
            "('salesforce', 'Lead', 'L2', 'OwnerId', '005C', now())"
        )
        changes, conflicts = pending_changes(wh, protected=frozenset({"OwnerId"}))
        # L1's owner was changed by a person after leadflow wrote 005Z: left alone, reported.
        assert [(c.record_id, c.field_name, c.written_value, c.crm_value) for c in conflicts] == [
            ("L1", "OwnerId", "005Z", "005A")
        ]
        assert {(c.record_id, tuple(sorted(c.fields))) for c in changes} == {
            ("L1", ("Lead_Score__c",)),
            ("L2", ("OwnerId",)),
        }
        # Without the protection the owner would be overwritten.
        assert len(pending_changes(wh)[1]) == 0


def test_salesforce_row_types():
    change = Change(
        "salesforce",
        "Lead",
        "L1",
        "p",
        {
            "Lead_Score__c": (None, "42"),
            "MQL_Date__c": (None, "2026-01-31"),
            "OwnerId": ("x", None),
        },
    )
    assert change.salesforce_row() == {
        "Id": "L1",
        "Lead_Score__c": 42,
        "MQL_Date__c": "2026-01-31",
        "OwnerId": None,
    }
    assert Change(
        "hubspot", "contacts", "7", "p", {"leadflow_mql_date": ("2026-01-01", None)}
    ).hubspot_row() == {"id": "7", "properties": {"leadflow_mql_date": ""}}
    assert same_value(42.0, "42") and same_value(None, "") and not same_value("Hot", "Warm")


def test_vacuuming_waits_for_compact_which_merges_what_small_writes_left(tmp_path):
    """A nightly's deletes and small appends leave short row groups behind; leadflow's
    connections do not vacuum them at each checkpoint, compact() does, the rows kept."""
    path = tmp_path / "w.duckdb"

    def row_groups(wh: Warehouse) -> int:
        return wh.query("select count(distinct row_group_id) from pragma_storage_info('main.t')")[0][0]

    def nights(wh: Warehouse, first: int) -> None:
        for night in range(first, first + 4):
            wh.con.execute(f"delete from t where i % 97 = {night}")
            wh.con.execute(f"insert into t select i, 'again-' || i from range({night}, 300000, 97) as r(i)")
            wh.con.execute("checkpoint")

    with Warehouse(path) as wh:
        wh.con.execute("create table t as select i, 'person-' || i as name from range(300000) as r(i)")
        wh.con.execute("checkpoint")
        full = row_groups(wh)
        nights(wh, 0)
        fragmented = row_groups(wh)
        before = wh.query("select count(*), sum(i), count(distinct name) from t")
    assert fragmented >= full + 4

    with Warehouse(path) as wh:
        seconds = wh.compact()
        compacted = row_groups(wh)
        assert compacted < fragmented
        assert wh.query("select count(*), sum(i), count(distinct name) from t") == before
        assert wh.query("select count(*), min(seconds) >= 0 from ops.compactions") == [(1, True)]
        assert seconds >= 0
        # Vacuuming is off again after it: the next checkpoints leave the new short row groups.
        nights(wh, 4)
        assert row_groups(wh) >= compacted + 4
