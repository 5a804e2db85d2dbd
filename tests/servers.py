"""Real servers for the tests, started and stopped by the tests themselves: a PostgreSQL server
(Debian's package, a fresh cluster in a temporary folder, run as an unprivileged user, listening on
127.0.0.1 only) and a Dask LocalCluster of worker processes."""
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return found[-1]


@contextlib.contextmanager
def postgres_server():
    """Yield the URL of a fresh database on a PostgreSQL server that lives as long as the block."""
    user = "postgres"  # Debian's package creates it; initdb refuses to run as root
    try:
        pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)
    folder = tempfile.mkdtemp(prefix="seqcourse-pg-")
    shutil.chown(folder, user)
    data, port = os.path.join(folder, "data"), _free_port()

    def as_user(*command):
        return subprocess.run(["runuser", "-u", user, "--", *command], check=True, capture_output=True, text=True)

    try:
        as_user(_postgres_bin("initdb"), "-D", data, "-A", "trust", "-U", "grader", "-E", "UTF8", "--no-locale")
        as_user(_postgres_bin("pg_ctl"), "-D", data, "-l", os.path.join(folder, "log"), "-w", "-o",
                f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}", "start")
        as_user(_postgres_bin("createdb") if os.path.exists(_postgres_bin("initdb").replace("initdb", "createdb"))
                else "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "grader", "gradebook")
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        with contextlib.suppress(Exception):
            as_user(_postgres_bin("pg_ctl"), "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def dask_cluster(workers: int = 2):
    """Yield a LocalCluster of `workers` processes, one thread each (grading keeps state per process)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        yield cluster
