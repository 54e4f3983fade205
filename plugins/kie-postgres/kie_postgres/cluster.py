"""A throw-away PostgreSQL cluster in a temporary folder, for tests and benchmarks.

It runs the server binaries found on the machine (``initdb``, ``pg_ctl``: ``$PG_BIN``, then
``pg_config --bindir``, then ``/usr/lib/postgresql/<version>/bin``, then ``PATH``), listens on a
Unix socket in its folder and on a free loopback port, and is removed when stopped. PostgreSQL
refuses to run as root: when this process is root, the cluster runs as the unprivileged
``postgres`` system user (created if missing) and its folder is handed to that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

#: The unprivileged user a root process runs the server as.
SERVER_USER = "postgres"

#: Connections the throw-away server accepts (many worker processes, each with a pool).
MAX_CONNECTIONS = 300


class ClusterError(RuntimeError):
    """The server binaries are missing or the cluster did not start."""


def find_bindir() -> Path:
    """Return the folder holding ``initdb`` and ``pg_ctl``.

    Raises:
        ClusterError: no PostgreSQL server binaries on this machine.
    """
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.CalledProcessError):
            pass
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    candidates += versions
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise ClusterError(
        "no PostgreSQL server binaries (initdb, pg_ctl) found: install them "
        "(apt-get install postgresql) or set PG_BIN"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


class TemporaryCluster:
    """A PostgreSQL server in a temporary folder; a context manager.

    Attributes:
        url: the ``postgresql://`` URL of its ``postgres`` database (loopback TCP).
        folder: the temporary folder (data, socket, log).
    """

    def __init__(self, *, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        # As root the server runs as another user, who must reach the folder: /tmp, not a
        # TMPDIR that may sit inside root's home. A short path also keeps the socket name
        # under the 107-byte limit.
        base = "/tmp" if os.geteuid() == 0 and Path("/tmp").is_dir() else None
        self.folder = Path(tempfile.mkdtemp(prefix="kie-pg-", dir=base))
        self.port = _free_port()
        self.user = "kie"
        self.url = f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"
        self._run_as: list[str] = []
        self._started = False

    @property
    def data(self) -> Path:
        """The cluster's data folder."""
        return self.folder / "data"

    def _prepare_privileges(self) -> None:
        if os.geteuid() != 0:
            return
        account = _ensure_user(SERVER_USER)
        os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.folder.chmod(0o700)
        self._run_as = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}",
                        "--clear-groups", "--"]  # fmt: skip

    def _run(self, *args: str) -> None:
        command = [*self._run_as, *args]
        result = subprocess.run(
            command, check=False, capture_output=True, text=True, cwd=self.folder
        )
        if result.returncode != 0:
            raise ClusterError(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )

    def start(self) -> TemporaryCluster:
        """Create the cluster and start the server.

        Raises:
            ClusterError: initdb or the server failed.
        """
        self._prepare_privileges()
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data), "-U", self.user, "--auth=trust",
            "--encoding=UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c max_connections={MAX_CONNECTIONS} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c shared_buffers=32MB"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.data), "-l", str(self.folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        self._started = True
        return self

    def create_database(self, name: str) -> str:
        """Create a database and return its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        """Stop the server and remove the folder."""
        try:
            if self._started:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                    "-w", "stop",
                )  # fmt: skip
        finally:
            self._started = False
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> TemporaryCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
