"""Suggested points: the things the seeds give points for, weighed by a logistic regression.

Features are exactly what fit_rules and activity_rules score (one per fit rule row, one count per
activity type), so that each coefficient becomes the `points` of one seed row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from flows.calibrate_metrics import auc

# Fields a sales rep fills in after first contact: they record the outcome rather than predict it.
LEAKY_FIELDS = (
    "Status",  # Salesforce Lead Status (Qualified, Closed - Converted, Unqualified)
    "lead_status",
    "hs_lead_status",
    "Rating",  # Salesforce's sales-entered quality rating
    "Disqualification_Reason__c",
    "disqualification_reason",
    "OwnerId",
    "hubspot_owner_id",
    "lifecyclestage",
)
# Activities logged by reps (calls, meetings, notes) happen because sales already works the lead.
LEAKY_SCORE_GROUPS = ("sales",)
# Rounding is refined on the training period until it costs at most this much AUC there.
TRAINING_ROUNDING_COST = 0.01


@dataclass
class Features:
    """A person x feature matrix with the seed row each column stands for."""

    person_ids: list[str]
    names: list[str]
    matrix: np.ndarray


def read_seed(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def fit_feature_names(fit_rules: list[dict]) -> list[str]:
    return [_fit_name(rule) for rule in fit_rules]


def activity_feature_types(activity_rules: list[dict]) -> list[str]:
    """Activity types that may be features: not the rep-logged (leaky) ones."""
    return [r["activity_type"] for r in activity_rules if r["score_group"] not in LEAKY_SCORE_GROUPS]


def build_features(
    people: list[dict],
    activities: dict[str, dict[str, int]],
    fit_rules: list[dict],
    activity_rules: list[dict],
) -> Features:
    """One row per person: 1 for each fit rule row matched, activities per type up to the cap's worth."""
    types = activity_feature_types(activity_rules)
    rules_by_type = {r["activity_type"]: r for r in activity_rules}
    names = fit_feature_names(fit_rules) + [f"activity:{t}" for t in types]
    matrix = np.zeros((len(people), len(names)))
    for row, person in enumerate(people):
        for column in _fit_matches(person, fit_rules):
            matrix[row, column] = 1.0
        counts = activities.get(person["person_id"], {})
        for offset, activity_type in enumerate(types):
            count = counts.get(activity_type, 0)
            matrix[row, len(fit_rules) + offset] = min(count, _countable(rules_by_type[activity_type]))
    return Features([p["person_id"] for p in people], names, matrix)


def fit_points(
    train_x: Features, train_y: np.ndarray, train_current: np.ndarray, c: float = 1.0
) -> tuple[LogisticRegression, np.ndarray]:
    """L2 logistic regression on the training period only, its weights scaled to integer points.

    The scale first gives the suggested score the spread of today's score (so thresholds stay
    readable), then doubles while rounding costs more than TRAINING_ROUNDING_COST AUC in training.
    Activities are interest: a negative weight there is noise (negative_rules hold penalties), so
    activity points are never below 0.
    """
    model = LogisticRegression(C=c, max_iter=2000).fit(train_x.matrix, train_y)
    weights = model.coef_[0]
    activity = np.array([n.startswith("activity:") for n in train_x.names])
    linear = train_x.matrix @ weights
    spread = float(np.std(linear))
    scale = float(np.std(train_current)) / spread if spread > 0 else 1.0
    scale = scale if scale > 0 else 1.0
    exact = auc(linear, train_y)
    for _ in range(8):
        points = np.where(activity, np.maximum(np.round(weights * scale), 0), np.round(weights * scale))
        rounded = auc(train_x.matrix @ points, train_y)
        if exact is None or rounded is None or exact - rounded <= TRAINING_ROUNDING_COST:
            break
        scale *= 2
    return model, points


def suggested_seeds(
    names: list[str], points: np.ndarray, fit_rules: list[dict], activity_rules: list[dict]
) -> dict[str, list[dict]]:
    """fit_rules and activity_rules with the suggested points (caps keep their count of activities)."""
    by_name = dict(zip(names, points.tolist(), strict=True))
    fit = [{**rule, "points": _integer(by_name[_fit_name(rule)])} for rule in fit_rules]
    activity = []
    for rule in activity_rules:
        name = f"activity:{rule['activity_type']}"
        if name not in by_name:  # a leaky type keeps its points: the suggestion knows nothing of it
            activity.append(dict(rule))
            continue
        new = by_name[name]
        activity.append({**rule, "points": _integer(new), "cap": _scaled_cap(rule, new)})
    return {"fit_rules": fit, "activity_rules": activity}


def write_seeds(seeds: dict[str, list[dict]], directory: Path) -> list[Path]:
    """Write each seed as CSV in its own column order."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in seeds.items():
        path = directory / f"{name}.csv"
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


def _fit_name(rule: dict) -> str:
    if rule["match_value"]:
        return f"fit:{rule['attribute']}:{rule['match_value']}"
    return f"fit:{rule['attribute']}:{rule['min_value'] or ''}-{rule['max_value'] or ''}"


def _fit_matches(person: dict, fit_rules: list[dict]) -> list[int]:
    """Column of the best matching rule per attribute (as int_people_fit scores: the most points)."""
    best: dict[str, tuple[float, int]] = {}
    for column, rule in enumerate(fit_rules):
        value = person.get(rule["attribute"])
        if value is None or not _matches(rule, value):
            continue
        points = float(rule["points"])
        if rule["attribute"] not in best or points > best[rule["attribute"]][0]:
            best[rule["attribute"]] = (points, column)
    return [column for _, column in best.values()]


def _matches(rule: dict, value) -> bool:
    if rule["match_value"]:
        return str(value).lower() == rule["match_value"].lower()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    low = float(rule["min_value"]) if rule["min_value"] else -np.inf
    high = float(rule["max_value"]) if rule["max_value"] else np.inf
    return low <= number < high


def _countable(rule: dict) -> float:
    """How many activities of a type the cap lets count at once (no cap: all)."""
    points, cap = float(rule["points"] or 0), rule["cap"]
    return float(cap) / points if cap and points > 0 else np.inf


def _scaled_cap(rule: dict, new_points: float) -> str:
    countable = _countable(rule)
    if not np.isfinite(countable) or new_points <= 0:
        return rule["cap"]
    return _integer(countable * new_points)


def _integer(value: float) -> str:
    return str(int(round(value)))
