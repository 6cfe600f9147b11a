"""Chaos: nightlies under 429s, 5xx, resets and expired sessions, killed (kill -9), run again.

Each trial must end with the CRMs as a fault-free run leaves them: no field different (a lost
update) and no field written more often (a write sent twice). A nightly takes a minute or two
here, so this is a slow test (`make test-slow`); bench/chaos.py runs 20 trials for the figures.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.chaos import chaos_plans, compare, kill_points, run, seed_template

PEOPLE = 150


@pytest.mark.slow
def test_killed_nightlies_under_faults_end_as_a_fault_free_run(tmp_path):
    template = seed_template(tmp_path / "template", people=PEOPLE, seed=11)
    today = datetime.now(UTC).date()
    (tmp_path / "clean").mkdir()
    clean = run(template, tmp_path / "clean", today)
    assert clean.exits == [0]
    assert sum(clean.writes.values()) > 0  # the fault-free run did write: there is something to lose
    for trial, kill_after in enumerate(kill_points(seed=5, trials=2, clean_seconds=clean.seconds)):
        workdir = tmp_path / f"trial-{trial}"
        workdir.mkdir()
        outcome = run(template, workdir, today, chaos_plans(seed=100 + trial), kill_after=kill_after)
        verdict = compare(clean, outcome)
        assert outcome.exits[-1] == 0, outcome.exits
        assert sum(outcome.faults.values()) > 0 and outcome.faults["429"] > 0
        assert verdict.diffs == [], f"trial {trial}: lost updates {verdict.diffs[:10]}"
        assert verdict.duplicates == [], f"trial {trial}: writes sent twice {verdict.duplicates[:10]}"


def test_a_field_left_unwritten_or_written_twice_is_caught():
    """The comparison itself: it must be able to fail."""
    from collections import Counter

    from tests.chaos import Outcome

    key = ("salesforce", "Lead", "00Q1", "Lead_Score__c")
    clean = Outcome(state={key: 42.0}, writes=Counter({key: 1}))
    assert compare(clean, Outcome(state={key: "42"}, writes=Counter({key: 1}))).ok
    lost = compare(clean, Outcome(state={key: None}, writes=Counter()))
    assert lost.diffs == [(key, 42.0, None)] and not lost.duplicates
    twice = compare(clean, Outcome(state={key: 42.0}, writes=Counter({key: 2})))
    assert twice.duplicates == [(key, 1, 2)] and not twice.diffs
