"""``make demo`` (``python -m oms.demo``): migrate, seed the demo organization and run Okno until Ctrl-C.

With nothing configured it uses the development profile: SQLite (WAL) at ``var/okno.sqlite3`` and a Celery broker
in files under ``var/broker/``. With ``DATABASE_URL`` / ``REDIS_URL`` set it uses PostgreSQL and Redis instead.
The web server, the Celery worker and the scheduler run as child processes; Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_OWNER_EMAIL = "demo@okno.local"
DEMO_OWNER_PASSWORD = "okno-demo"
DEFAULT_PORT = 8000
SANDBOX_PORT = 9001
DEMO_BUYERS_PER_S = "0.3"  # simulated orders per second across the four sandbox marketplaces
QUEUES = "poll,push,documents,analytics"
START_TIMEOUT_S = 60.0  # for the web server to accept connections
SETTLE_S = 4.0  # a child that survives this long after the web server is up has started
STOP_TIMEOUT_S = 10.0  # then SIGKILL: tasks are acked late, so an interrupted one is delivered again


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


def children(port: int, var_dir: Path) -> list[Child]:
    """Everything ``make demo`` runs. Add a process here and it is started, watched and stopped with the rest."""
    python = sys.executable
    # Beat sends a task every second: at INFO the terminal would scroll the login away. LOG_LEVEL=INFO shows it.
    celery_log = os.environ.get("LOG_LEVEL") or "WARNING"
    return [
        # No control socket: it lives in ~/.gunicorn and would clash with another gunicorn of the same user.
        Child("web", [python, "-m", "gunicorn", "oms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                      "--threads", "4", "--graceful-timeout", "10", "--no-control-socket"]),
        Child("worker", [python, "-m", "celery", "-A", "oms", "worker", "-Q", QUEUES, "--pool=threads", "-c", "4",
                         "--loglevel", celery_log]),
        Child("beat", [python, "-m", "celery", "-A", "oms", "beat", "--schedule", str(var_dir / "celerybeat-schedule"),
                       "--loglevel", celery_log]),
        # The marketplace sandbox: WB on 9001, Ozon, Yandex Market and AliExpress on the next ports.
        Child("sandbox", [python, "manage.py", "run_sandbox", "--port", str(SANDBOX_PORT)]),
    ]


def setup_steps(owner: str, password: str) -> list[tuple[str, list[str]]]:
    python = sys.executable
    return [
        ("migrate", [python, "manage.py", "migrate", "--noinput"]),
        ("collect static files", [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]),
        ("seed the demo organization", [python, "manage.py", "seed_demo", "--owner", owner, "--password", password]),
    ]


def say(message: str) -> None:
    print(f"[okno demo] {message}", flush=True)


class Supervisor:
    """Starts the children in their own process groups, watches them, and stops them all together."""

    def __init__(self, children: list[Child]):
        self.children = children
        self.stopping = False

    def request_stop(self, *_signal_args) -> None:
        self.stopping = True

    def start(self) -> None:
        for child in self.children:
            say(f"starting {child.name}: {' '.join(child.argv[1:])}")
            # Own session: a terminal Ctrl-C reaches only us, and we stop the children in order.
            child.process = subprocess.Popen(child.argv, cwd=BASE_DIR, start_new_session=True)  # noqa: S603 - our argv

    def dead(self) -> list[Child]:
        return [child for child in self.children if child.process is not None and child.process.poll() is not None]

    def wait_until_serving(self, port: int) -> Child | None:
        """Wait for the web server to accept connections and the others to stay up; return a child that died."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _port_open(port):
            if dead := self.dead():
                return dead[0]
            if self.stopping:
                return None
            if time.monotonic() > deadline:
                say(f"the web server did not open port {port} within {START_TIMEOUT_S:.0f} s")
                return self.children[0]
            time.sleep(0.2)
        settle = time.monotonic() + SETTLE_S
        while time.monotonic() < settle and not self.stopping:
            if dead := self.dead():
                return dead[0]
            time.sleep(0.2)
        return None

    def watch(self) -> Child | None:
        """Block until a signal arrives (None) or a child exits (that child)."""
        while not self.stopping:
            if dead := self.dead():
                return dead[0]
            time.sleep(0.5)
        return None

    def stop(self) -> None:
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{child.name} did not stop in {STOP_TIMEOUT_S:.0f} s; killing it")
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
        # Reap anything a child left behind in its group (gunicorn workers, celery pool threads are in-process).
        for child in self.children:
            if child.process is not None:
                _signal_group(child.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _describe_backends(settings) -> tuple[str, str]:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        db = f"SQLite {database['NAME']}"
    else:
        db = f"PostgreSQL {database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}/{database['NAME']}"
    broker = settings.CELERY_BROKER_URL
    # The host part only: a password in the URL stays off the screen.
    shown = f"files under {settings.VAR_DIR / 'broker'}" if broker == "filesystem://" else broker.split("@")[-1]
    return db, shown


def main() -> int:
    os.chdir(BASE_DIR)
    os.environ.setdefault("OKNO_PROFILE", "dev")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        var_dir = Path(settings.VAR_DIR)
        database, broker = _describe_backends(settings)
    except ImproperlyConfigured as exc:
        say(f"configuration error: {exc}")
        return 2
    queues = var_dir / "broker"  # the filesystem broker's folders (used when REDIS_URL is not set)
    for folder in (var_dir, queues / "queue", queues / "processed", queues / "control", var_dir / "cache"):
        folder.mkdir(parents=True, exist_ok=True)

    port = int(os.environ.get("OKNO_PORT") or DEFAULT_PORT)
    if _port_open(port):
        say(f"port {port} is already in use; stop what runs there or choose another with OKNO_PORT=8001 make demo")
        return 2

    owner = os.environ.get("OKNO_DEMO_EMAIL") or DEMO_OWNER_EMAIL
    password = os.environ.get("OKNO_DEMO_PASSWORD") or DEMO_OWNER_PASSWORD
    say(f"database: {database}; broker: {broker}")
    for title, argv in setup_steps(owner, password):
        say(title)
        result = subprocess.run(argv, cwd=BASE_DIR, check=False)  # noqa: S603 - our own argv
        if result.returncode != 0:
            say(f"'{title}' failed (exit code {result.returncode})")
            return result.returncode

    supervisor = Supervisor(children(port, var_dir))
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    supervisor.start()
    failed = supervisor.wait_until_serving(port)
    if failed is None and not supervisor.stopping:
        say("connecting the demo organization to the sandbox marketplaces")
        connected = subprocess.run(  # noqa: S603 - our own argv
            [sys.executable, "manage.py", "connect_sandbox", "--buyers", DEMO_BUYERS_PER_S], cwd=BASE_DIR, check=False)
        if connected.returncode != 0:
            say("the sandbox could not be connected; Okno runs without simulated marketplaces")
    if failed is None and not supervisor.stopping:
        url = f"http://127.0.0.1:{port}/"
        print(
            "\n"
            "  Okno demo is running.\n"
            f"    Open      {url}\n"
            f"    E-mail    {owner}\n"
            f"    Password  {password}\n"
            f"    API docs  {url}api/docs/\n"
            f"    Admin     {url}admin/\n"
            f"    Database  {database}\n"
            "  Press Ctrl-C to stop.\n",
            flush=True,
        )
        failed = supervisor.watch()
    if failed is not None:
        code = failed.process.poll() if failed.process else None
        say(f"{failed.name} stopped unexpectedly (exit code {code}); stopping the others")
    else:
        say("stopping")
    supervisor.stop()
    return 1 if failed is not None else 0


if __name__ == "__main__":
    sys.exit(main())
