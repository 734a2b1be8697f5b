"""A real PostgreSQL server for the tests: a throw-away cluster, made and started by the suite.

`initdb` makes a cluster in a temp dir and `pg_ctl` starts it on 127.0.0.1 with a free port
(its unix socket sits in the same temp dir); at the end of the session it is stopped and the
dir deleted, by the fixture's finalizer and, should the session die first, by `atexit`.
Clusters left by a run that was killed outright are swept by the next run. Under
pytest-xdist each worker starts its own cluster, on its own port.

`initdb` refuses to run as root, so as root the cluster belongs to, and runs as, the
`postgres` system user that Debian's `postgresql` package creates (`make test` installs it).

Only the superuser (`nurture`) is trusted; every other role logs in with its password
(SCRAM), as a team's reps do on a real server, so a wrong password is really refused. The
`postgres_store_url` fixture is a fresh database with Nurture's schema already in it (an
ordinary command never creates it on a server: `nurture team init` does).

Use it from a test module with::

    from pg_server import postgres_db_url, postgres_url  # noqa: F401

    def test_something(postgres_db_url: str) -> None:  # noqa: F811

(ruff reads a parameter named like an imported fixture as a redefinition, F811.)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

SUPERUSER = "nurture"
"""The cluster's superuser (trust authentication, no password)."""

HBA = f"""# Throw-away test cluster: the superuser is trusted, every other role (a team's reps)
# logs in with its password, as on a real server.
local all {SUPERUSER} trust
host all {SUPERUSER} 127.0.0.1/32 trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
"""

SYSTEM_USER = "postgres"
"""Who runs the cluster when the tests run as root."""

DIR_PREFIX = "nurture-pg-"
START_TIMEOUT = 20
"""Seconds that `pg_ctl start -w` may wait for the server to accept connections."""

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}


def find_bindir() -> Path:
    """The newest `/usr/lib/postgresql/N/bin` with `initdb`, else the one `initdb` on PATH is in."""
    found: list[tuple[tuple[int, ...], Path]] = []
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        version = tuple(int(part) for part in re.findall(r"\d+", initdb.parent.parent.name))
        if version and (initdb.parent / "pg_ctl").exists():
            found.append((version, initdb.parent))
    if found:
        return max(found)[1]
    on_path = shutil.which("initdb")
    if on_path and (Path(on_path).parent / "pg_ctl").exists():
        return Path(on_path).parent
    raise RuntimeError(
        "PostgreSQL's server programs (initdb, pg_ctl) are neither under "
        "/usr/lib/postgresql/*/bin/ nor on PATH: install Debian's postgresql package "
        "(`make test` does so)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _system_user() -> pwd.struct_passwd | None:
    """The user the cluster runs as when that is not us: `postgres` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise RuntimeError(
            f"the tests run as root, where initdb refuses to run, and there is no "
            f"{SYSTEM_USER!r} user to run PostgreSQL as: install Debian's postgresql package"
        ) from None


def _as_owner(command: list[str], owner: pwd.struct_passwd | None) -> list[str]:
    if owner is None:
        return command
    if shutil.which("runuser"):
        return ["runuser", "-u", owner.pw_name, "--", *command]
    return ["su", owner.pw_name, "-s", "/bin/sh", "-c", shlex.join(command)]


def _base_dir(owner: pwd.struct_passwd | None) -> Path:
    """Where to make the temp dir: the usual one, unless another owner could not reach it."""
    base = Path(tempfile.gettempdir()).resolve()
    if owner is None:
        return base
    reachable = all(
        path.stat().st_mode & stat.S_IXOTH for path in (base, *base.parents) if path.exists()
    )
    return base if reachable else Path("/tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        # A zombie nobody has reaped yet (PID 1 in a container may never reap it) is gone.
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _postmaster_pid(data: Path) -> int | None:
    """The pid of the server running on `data`; never that of a process that reused its pid."""
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    if not Path("/proc/self").exists():
        return pid
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return pid if str(data).encode() in command.split(b"\0") else None


def _kill_postmaster(data: Path, timeout: float = 5.0) -> None:
    """Stop a server by signal: SIGQUIT (immediate shutdown), then SIGKILL if it lingers."""
    pid = _postmaster_pid(data)
    if pid is None:
        return
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.02)


def sweep_stale_clusters(base: Path) -> None:
    """Stop and delete clusters whose test process died without cleaning up (e.g. SIGKILL)."""
    for root in base.glob(f"{DIR_PREFIX}*"):
        try:
            owner_pid = int((root / "owner.pid").read_text())
        except (OSError, ValueError):
            continue  # being set up right now, or not ours
        if _alive(owner_pid):
            continue
        _kill_postmaster(root / "data")
        shutil.rmtree(root, ignore_errors=True)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no server log: {error})"


class PostgresCluster:
    """One throw-away cluster: `start()` makes and starts it, `stop()` stops and deletes it."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.owner = _system_user()
        self.root: Path | None = None
        self.port = 0
        self._stopped = False

    @property
    def data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def log(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the `postgres` database, over TCP."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
        assert self.root is not None
        return subprocess.run(
            _as_owner([str(self.bindir / args[0]), *args[1:]], self.owner),
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        base = _base_dir(self.owner)
        sweep_stale_clusters(base)
        self.root = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=base))
        atexit.register(self.stop)
        (self.root / "owner.pid").write_text(str(os.getpid()))
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)
        initdb = self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--auth=trust",
            f"--username={SUPERUSER}",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
            timeout=120,
        )
        if initdb.returncode != 0:
            raise RuntimeError(
                f"initdb failed ({initdb.returncode}):\n{initdb.stdout}\n{initdb.stderr}"
            )
        (self.data / "pg_hba.conf").write_text(HBA)
        settings = {**SETTINGS, "unix_socket_directories": f"'{self.root}'"}
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# Throw-away test cluster\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        for _attempt in range(3):
            self.port = free_port()
            started = self._run(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data),
                "--log",
                str(self.log),
                "--options",
                f"-p {self.port}",
                "--wait",
                f"--timeout={START_TIMEOUT}",
                timeout=START_TIMEOUT + 10,
            )
            if started.returncode == 0:
                return
            log = _tail(self.log)
            if "could not bind" not in log and "already in use" not in log:
                break  # only a port taken between free_port() and the bind is worth a retry
        _kill_postmaster(self.data)
        raise RuntimeError(
            f"PostgreSQL ({self.bindir}) did not start on 127.0.0.1:{self.port} "
            f"(pg_ctl start --wait --timeout={START_TIMEOUT}) and said:\n"
            f"{started.stdout}{started.stderr}\n"
            f"last lines of {self.log}:\n{_tail(self.log)}"
        )

    def stop(self) -> None:
        """Stop the server and delete the cluster; safe to call more than once."""
        if self._stopped or self.root is None:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        if (self.data / "postmaster.pid").exists():
            try:
                stopped = self._run(
                    "pg_ctl",
                    "stop",
                    "--pgdata",
                    str(self.data),
                    "--mode=immediate",
                    "--wait",
                    "--timeout=10",
                    timeout=20,
                )
                if stopped.returncode != 0:
                    _kill_postmaster(self.data)
            except subprocess.TimeoutExpired:
                _kill_postmaster(self.data)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL (`postgresql+psycopg://...`) to this session's throw-away server."""
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster.url
    finally:
        cluster.stop()


def _admin_connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)


@pytest.fixture
def postgres_db_url(postgres_url: str) -> Iterator[str]:
    """A SQLAlchemy URL to a fresh, empty database of its own, dropped after the test."""
    name = f"test_{secrets.token_hex(6)}"
    with _admin_connect(postgres_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin_connect(postgres_url) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def postgres_store_url(postgres_db_url: str) -> str:
    """``postgres_db_url`` with Nurture's schema in it (as ``nurture team init`` makes it,
    without the team's roles): an ordinary command never creates the schema on a server."""
    from sqlalchemy import create_engine

    from nurture_tui.store.migrate import upgrade

    engine = create_engine(postgres_db_url)
    with engine.connect() as connection, connection.begin():
        upgrade(connection)
    engine.dispose()
    return postgres_db_url
