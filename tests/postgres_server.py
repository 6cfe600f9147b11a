"""A throwaway PostgreSQL cluster on loopback for the tests: Debian's binaries, initdb into a temp dir.

PostgreSQL refuses to run as root; under root the cluster belongs to the `postgres` user the
Debian package creates. Durability is off (fsync, full pages): the cluster dies with the session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg2


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (initdb, pg_ctl), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """`initdb` + `pg_ctl start` in `directory`; `url(db)` for a database, `create_database(name)`."""

    def __init__(self, directory: Path, bin_dir: Path):
        self.directory = directory
        self.bin = bin_dir
        self.port = free_port()
        self.user = None if os.getuid() != 0 else "postgres"
        self.role = pwd.getpwuid(os.getuid()).pw_name if self.user is None else self.user

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=self.user, cwd=self.directory)

    def start(self) -> PostgresServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        data = self.directory / "data"
        # No locale: text sorts by code point, as in DuckDB (the marts' lists and minimums agree).
        initdb = [str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", self.role]
        self._run(*initdb, "-E", "UTF8", "--no-locale")
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=50 "
            "-c shared_buffers=64MB -c timezone=UTC"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.directory / "log"), "-w",
            "-o", options, "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        stop = [str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop"]
        done = subprocess.run(stop, capture_output=True, text=True, user=self.user, cwd=self.directory)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop: {done.stdout}{done.stderr}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.role}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        con = psycopg2.connect(self.url())
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'drop database if exists "{name}"')
                cur.execute(f'create database "{name}"')
        finally:
            con.close()
        return self.url(name)
