"""The platform served as deployed, for benchmarks that go through real HTTP.

gunicorn with one process per core and four threads each, on a free port of 127.0.0.1, with the environment
of the calling benchmark (so on its throwaway database). Django's runserver is a development server: one
process, a listen backlog of 10, a file watcher; it is not the HTTP path of a deployment.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(threads: int = 4, port: int | None = None) -> Iterator[int]:
    """Serve the platform for the duration of a with block; yield the port once it answers /healthz."""
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603 -- gunicorn from this virtualenv
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={os.cpu_count() or 1}",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--backlog=2048",
            "--timeout=120",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        # MPS_BENCH_SERVER_LOG=path keeps what the server logged (errors with their tracebacks) to look into.
        stderr=open(log, "a") if (log := os.environ.get("MPS_BENCH_SERVER_LOG")) else subprocess.DEVNULL,  # noqa: SIM115 -- the server's, open as long as it runs
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        # The server's whole process group: nothing of it may outlive the benchmark and its database.
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
