"""``make demo``'s supervisor: children start together, and one that dies at start brings the rest down."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from oms.demo import Child, Supervisor, children


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_demo_runs_the_web_server_a_worker_on_every_queue_and_the_scheduler():
    argv = {child.name: child.argv for child in children(8123, Path("/tmp/okno-var"))}

    assert {"web", "worker", "beat"} <= set(argv)
    assert "127.0.0.1:8123" in argv["web"]
    assert argv["worker"][argv["worker"].index("-Q") + 1] == "poll,push,documents,analytics"
    assert "/tmp/okno-var/celerybeat-schedule" in argv["beat"]


def test_a_child_that_dies_at_start_is_reported_and_the_others_are_stopped():
    port = free_port()
    web = Child("web", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"])
    worker = Child("worker", [sys.executable, "-c", "import sys; sys.exit(3)"])
    supervisor = Supervisor([web, worker])

    supervisor.start()
    try:
        failed = supervisor.wait_until_serving(port)
    finally:
        supervisor.stop()

    assert failed is worker
    assert worker.process.returncode == 3
    assert web.process.returncode is not None  # stopped, not left running
