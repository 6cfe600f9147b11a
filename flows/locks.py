"""Per-object extract locks: two extracts of one object never run at once.

A lock is an advisory `flock` on a small file next to the DuckDB file
(`<duckdb>.locks/<source>.<object>.lock`). The kernel releases it when the
holder exits, however it exits, so a run killed with -9 never leaves an
object locked (a Prefect global concurrency slot held by a killed process
stays taken until its lease is reaped, and a temporary server forgets leases).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockTimeout(TimeoutError):
    """Another run kept the object locked for longer than we were willing to wait."""


def lock_path(duckdb_path: Path | str, source: str, obj: str) -> Path:
    base = Path(duckdb_path)
    return base.with_name(base.name + ".locks") / f"{source}.{obj}.lock"


@contextmanager
def object_lock(
    duckdb_path: Path | str,
    source: str,
    obj: str,
    wait_seconds: float = 3600.0,
    on_wait=None,
) -> Iterator[None]:
    """Hold the lock of one object; wait (polling) while another run holds it."""
    path = lock_path(duckdb_path, source, obj)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline, told = time.monotonic() + wait_seconds, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"{source}.{obj} is still being extracted by another run "
                        f"after {wait_seconds:.0f} s (lock file {path})"
                    ) from None
                if on_wait is not None and not told:
                    on_wait(path)
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
