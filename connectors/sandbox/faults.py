"""The fault plan: seeded rates of the failures a sync must survive, one plan per vendor.

Each authenticated request to a vendor draws one number from that vendor's generator, seeded by
the plan: the same seed and the same sequence of requests give the same faults.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

VENDORS = ("salesforce", "hubspot")


@dataclass
class FaultPlan:
    """Seeded rates of injected faults; each request draws once. Rates are 0..1 and sum to 1 at most.

    429: a rate-limit refusal (Salesforce answers 403 REQUEST_LIMIT_EXCEEDED); 500, 503: server
    errors; drop: the connection closes without an answer; slow: the answer comes `slow_ms` late;
    expire: 401 for an expired session; lock: UNABLE_TO_LOCK_ROW on Salesforce writes (HubSpot and
    Salesforce reads answer normally); reset: the request is served (a write lands) but the
    connection closes halfway through the answer.
    """

    seed: int = 0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0
    rate_slow: float = 0.0
    slow_ms: int = 2000
    rate_expire: float = 0.0
    rate_lock: float = 0.0
    rate_reset: float = 0.0

    # New kinds go last: a seed keeps drawing the same faults for the kinds before them.
    KINDS = ("429", "500", "503", "drop", "slow", "expire", "lock", "reset")

    def __post_init__(self) -> None:
        for name in ("seed", "slow_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        for kind in self.KINDS:
            rate = getattr(self, f"rate_{kind}")
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ValueError(f"rate_{kind} must be a number from 0 to 1, got {rate!r}")
        total = sum(getattr(self, f"rate_{kind}") for kind in self.KINDS)
        if total > 1 + 1e-9:
            raise ValueError(f"the rates add up to {total:g}; at most 1 (each request draws once)")

    @classmethod
    def from_dict(cls, data) -> FaultPlan:
        """A plan from its fields (as JSON gives them); ValueError names unknown fields."""
        if not isinstance(data, dict):
            raise ValueError(f"a fault plan is a JSON object of its fields, got {data!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault plan fields {unknown} (known: {', '.join(sorted(known))})")
        return cls(**data)

    def to_dict(self) -> dict:
        return asdict(self)

    def any(self) -> bool:
        return any(getattr(self, f"rate_{k}") > 0 for k in self.KINDS)

    def pick(self, draw: float) -> str | None:
        """The fault a draw in [0, 1) lands on, or None."""
        edge = 0.0
        for kind in self.KINDS:
            edge += getattr(self, f"rate_{kind}")
            if draw < edge:
                return kind
        return None

    def describe(self) -> str:
        """One line for people: `seed 1: 5% 500, 2% slow (300 ms)` or `no faults`."""
        parts = []
        for kind in self.KINDS:
            rate = getattr(self, f"rate_{kind}")
            if rate:
                parts.append(f"{rate * 100:.4g}% {kind}")
                if kind == "slow":
                    parts[-1] += f" ({self.slow_ms} ms)"
        return f"seed {self.seed}: " + ", ".join(parts) if parts else "no faults"


def plans_from_json(data) -> dict[str, FaultPlan]:
    """`{"salesforce": {...plan}, "hubspot": {...}}` (either may be left out) as plans."""
    if not isinstance(data, dict):
        raise ValueError('expected a JSON object like {"salesforce": {"seed": 1, "rate_500": 0.05}}')
    unknown = sorted(set(data) - set(VENDORS))
    if unknown:
        raise ValueError(f"unknown vendors {unknown} (known: {', '.join(VENDORS)})")
    plans = {}
    for vendor, plan in data.items():
        try:
            plans[vendor] = FaultPlan.from_dict(plan)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{vendor}: {err}") from None
    return plans


def load_plans(path: Path | str) -> dict[str, FaultPlan]:
    """Fault plans from a JSON file; ValueError names the file and what is wrong."""
    try:
        return plans_from_json(json.loads(Path(path).read_text()))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from None
