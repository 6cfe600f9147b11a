"""The benches' company presets and medians (bench/presets.py, bench/runs.py, bench/nightly.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import nightly  # noqa: E402 - bench/nightly.py
import presets  # noqa: E402 - bench/presets.py
import runs  # noqa: E402 - bench/runs.py

from connectors.sandbox.bulk_lines import skew_summary  # noqa: E402

NOW_MS = 1_767_225_600_000  # 2026-01-01


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    presets.add_arguments(parser)
    runs.add_argument(parser)
    args = parser.parse_args(argv)
    runs.check(parser, args)
    return args


def shape(*argv: str) -> dict:
    return {**presets.company(parse(*argv)), "now_ms": NOW_MS}


def test_presets_name_people_and_twenty_activities_each():
    assert (shape()["people"], shape()["activities"]) == (100_000, 2_000_000)
    small = shape("--preset", "10k", "--seed", "7")
    assert (small["people"], small["activities"], small["seed"], small["preset"]) == (
        10_000,
        200_000,
        7,
        "10k",
    )
    custom = shape("--people", "500")
    assert (custom["people"], custom["activities"], custom["preset"]) == (500, 10_000, None)
    assert presets.described(small) == "10,000 people, 200,000 activities (preset 10k, seed 1)".replace(
        "seed 1", "seed 7"
    )


def test_the_company_is_fixed_by_its_seed_and_skewed():
    one = shape("--people", "1000", "--seed", "3")
    lines = list(presets.lines(one))
    assert lines == list(presets.lines(one))
    assert lines != list(presets.lines({**one, "seed": 4}))
    skew = skew_summary(lines, 1000)
    assert skew["activities"] == 20_000 and skew["mean"] == 20
    # Few people with many activities: the median person well under the mean, some with none,
    # the 1% most active with a large share, the most active with hundreds.
    assert skew["median"] <= 10
    assert 0.03 < skew["none"] < 0.25
    assert skew["top_1pct_share"] > 0.12
    assert skew["max"] > 150


def test_changes_touch_one_record_in_a_hundred_of_each_object():
    one = shape("--people", "1000")
    changed = list(presets.changes(one, 0.01, NOW_MS + 5_000))
    contacts = [c for c in changed if c["object"] == "contacts"]
    assert len(contacts) == 10 and all(c["record"]["updatedAt"].startswith("2026-01-01") for c in contacts)


def test_fewer_than_three_runs_are_refused_and_medians_keep_their_run():
    with pytest.raises(SystemExit):
        parse("--runs", "2")
    assert parse("--runs", "5").runs == 5
    each = [{"seconds": 9.0, "calls": 1}, {"seconds": 3.0, "calls": 2}, {"seconds": 5.0, "calls": 3}]
    assert runs.median([r["seconds"] for r in each]) == 5.0
    assert runs.median_run(each, "seconds")["calls"] == 3
    assert runs.every([r["seconds"] for r in each]) == "9.0, 3.0, 5.0"


def test_the_nightly_report_takes_prefects_cost_as_the_difference_of_medians():
    def result(seconds, phases):
        return {
            "seconds": seconds,
            "phases": dict(zip((*nightly.PHASES, "after"), phases, strict=True)),
            "extracted": 100,
            "calls": 10,
            "written": 5,
            "writeback_calls": 2,
            "nodes": {"success": 300},
            "load": 1.0,
            "slots": {"waited": 0.0, "held_before": [], "held_after": []},
        }

    measured = [
        {"prefect": result(60 + k, (20, 30 + k, 8, 2)), "plain": result(50, (19, 23, 7, 1))}
        for k in (0, 4, 2)
    ]
    first = {name: result(500, (400, 60, 40, 0)) for name in ("full", "settle")}
    text = nightly.report("T", "python bench/nightly.py", shape("--preset", "10k"), 5, first, measured, 120)
    assert "**62.0 s with Prefect, goal under 120 s: met**" in text
    assert "**+12.0 s, goal under 15 s: met**" in text
    assert "| dbt build | 32.0 | 30.0, 34.0, 32.0 | 23.0 | 23.0, 23.0, 23.0 | +9.0 |" in text
