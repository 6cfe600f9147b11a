"""The company the sandbox benches load: `--preset 10k|100k|1m`, `--seed`, and its load lines.

A preset names the number of people; each has about 20 activities (ACTIVITIES_PER_PERSON),
skewed as `connectors.sandbox.bulk_lines` documents (lognormal: the median person about 6, the
1% most active about a fifth of all activities). The same preset and seed give the same lines.
`--people` and `--activities` override the preset's sizes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

from connectors.sandbox.bulk_changes import touched
from connectors.sandbox.bulk_lines import activity_lines, people_lines

PRESETS = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
ACTIVITIES_PER_PERSON = 20
LEADS = 0.3  # of the Salesforce people, the share that are Leads (the rest Contacts)
MIX = (  # (activity kind, share): email-heavy, as a marketing database is
    ("email_events", 0.55),
    ("web_events", 0.20),
    ("form_submissions", 0.05),
    ("Task", 0.10),
    ("Event", 0.02),
    ("CampaignMember", 0.08),
)


def add_arguments(parser: argparse.ArgumentParser, default: str = "100k") -> None:
    """--preset, --seed, --people, --activities."""
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS, key=PRESETS.get),
        default=default,
        help=f"company size: people, ~{ACTIVITIES_PER_PERSON} activities each (default {default})",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--people", type=int, help="people, overriding the preset's")
    parser.add_argument(
        "--activities", type=int, help=f"activities, overriding {ACTIVITIES_PER_PERSON} per person"
    )


def company(args: argparse.Namespace, leads: float = LEADS, mix=MIX) -> dict:
    """The shape of the company the arguments ask for; history ends at today's midnight (UTC)."""
    people = args.people or PRESETS[args.preset]
    return {
        "preset": args.preset if args.people is None and args.activities is None else None,
        "people": people,
        "activities": args.activities or people * ACTIVITIES_PER_PERSON,
        "seed": args.seed,
        "leads": leads,
        "mix": mix,
        "now_ms": (int(time.time()) // 86_400) * 86_400_000,
    }


def title(shape: dict) -> str:
    """`100,000 people, 2,000,000 activities`: the BENCHMARKS.md heading of a size."""
    return f"{shape['people']:,} people, {shape['activities']:,} activities"


def described(shape: dict) -> str:
    """The size, its preset and seed, for a report's lines."""
    preset = f"preset {shape['preset']}, " if shape["preset"] else ""
    return f"{title(shape)} ({preset}seed {shape['seed']})"


def people_of(shape: dict) -> Iterator[dict]:
    return people_lines(shape["people"], seed=shape["seed"], now_ms=shape["now_ms"], leads=shape["leads"])


def activities_of(shape: dict) -> Iterator[dict]:
    return activity_lines(
        shape["activities"],
        shape["people"],
        seed=shape["seed"] + 1,
        now_ms=shape["now_ms"],
        leads=shape["leads"],
        mix=shape["mix"],
    )


def lines(shape: dict) -> Iterator[dict]:
    """Every load line of the company: people, then the forms, campaigns and activities."""
    yield from people_of(shape)
    yield from activities_of(shape)


def changes(shape: dict, share: float, at_ms: int) -> Iterator[dict]:
    """`share` of every object's records again, modified at `at_ms` (bulk_changes.touched)."""
    return touched(lines(shape), share, at_ms)
