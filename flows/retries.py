"""When a Prefect task that does I/O tries again: transient errors yes, final answers no."""

from __future__ import annotations

from prefect.tasks import exponential_backoff

from connectors.errors import AuthenticationError, BudgetExhausted, CertificateError
from flows.locks import LockTimeout


def retry_unless_final(task, task_run, state) -> bool:
    """Transient errors are retried; a refused token or certificate, a spent budget or a held lock is not."""
    try:
        state.result()
    except (AuthenticationError, BudgetExhausted, CertificateError, LockTimeout, ValueError):
        return False
    except Exception:  # noqa: BLE001 - anything else may pass on a second try
        return True
    return False


def io_retries(first_wait: float) -> dict:
    """Task options: 3 retries after first_wait, twice and four times it (jittered)."""
    return {
        "retries": 3,
        "retry_delay_seconds": exponential_backoff(backoff_factor=first_wait),
        "retry_jitter_factor": 0.5,
        "retry_condition_fn": retry_unless_final,
    }
