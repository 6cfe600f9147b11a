"""How well a score predicts an outcome: AUC, conversion and lift by decile and tier, the MQL cut."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve


def auc(scores, outcomes) -> float | None:
    """ROC AUC; None when the period holds only one kind of outcome (AUC is undefined then)."""
    outcomes = np.asarray(outcomes, dtype=bool)
    if outcomes.all() or not outcomes.any():
        return None
    return float(roc_auc_score(outcomes, np.asarray(scores, dtype=float)))


def by_decile(scores, outcomes) -> list[dict]:
    """Conversion and lift per score decile, 10 the highest scores; ties stay in one decile."""
    scores = np.asarray(scores, dtype=float)
    outcomes = np.asarray(outcomes, dtype=bool)
    if not len(scores):
        return []
    base = outcomes.mean()
    # Rank by score (ties share the lowest rank) so that equal scores never straddle two deciles.
    ranks = np.searchsorted(np.sort(scores), scores, side="left")
    deciles = np.minimum(ranks * 10 // len(scores), 9) + 1
    rows = []
    for decile in range(10, 0, -1):
        members = deciles == decile
        if members.any():
            rows.append(_group(f"{decile}", scores[members], outcomes[members], base))
    return rows


def by_tier(tiers, outcomes, scores) -> list[dict]:
    """Conversion and lift per tier, highest scores first."""
    tiers = np.asarray(tiers, dtype=object)
    outcomes = np.asarray(outcomes, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    base = outcomes.mean() if len(outcomes) else 0.0
    rows = [_group(str(t), scores[tiers == t], outcomes[tiers == t], base) for t in set(tiers.tolist())]
    return sorted(rows, key=lambda r: -r["min_score"])


def at_threshold(scores, outcomes, threshold: float) -> dict:
    """Precision and recall of `score >= threshold` (the MQL cut) against the outcome."""
    flagged = np.asarray(scores, dtype=float) >= threshold
    outcomes = np.asarray(outcomes, dtype=bool)
    hits = int((flagged & outcomes).sum())
    return {
        "threshold": threshold,
        "flagged": int(flagged.sum()),
        "converted": int(outcomes.sum()),
        "precision": hits / int(flagged.sum()) if flagged.any() else None,
        "recall": hits / int(outcomes.sum()) if outcomes.any() else None,
    }


def roc(scores, outcomes) -> list[dict]:
    """The ROC curve: per score cut (highest first), the share of non-converters and converters above it."""
    outcomes = np.asarray(outcomes, dtype=bool)
    if outcomes.all() or not outcomes.any():
        return []
    fpr, tpr, cuts = roc_curve(outcomes, np.asarray(scores, dtype=float))
    return [
        {
            "score_at_least": float(c) if np.isfinite(c) else None,
            "false_positive_rate": float(f),
            "recall": float(t),
        }
        for f, t, c in zip(fpr, tpr, cuts, strict=True)
    ]


def _group(name: str, scores: np.ndarray, outcomes: np.ndarray, base: float) -> dict:
    rate = float(outcomes.mean()) if len(outcomes) else 0.0
    return {
        "group": name,
        "people": int(len(outcomes)),
        "converted": int(outcomes.sum()),
        "min_score": float(scores.min()) if len(scores) else 0.0,
        "max_score": float(scores.max()) if len(scores) else 0.0,
        "conversion": rate,
        "lift": rate / float(base) if base else None,
    }
