"""The processes a deployment runs, started for a test: killable with -9, restartable, each
logging to a file whose tail a failing test prints."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx

from tests.support.smtp import free_port

PORTAL = [sys.executable, "-c", "from core.cli import main; main()"]


def installed(command: str) -> str:
    """A console script of the environment running the tests (``portal``, ``gunicorn``)."""
    return str(Path(sys.prefix) / "bin" / command)


def portal_env(**settings: str) -> dict[str, str]:
    """This environment without the runner's own portal settings, plus ``PORTAL_<NAME>`` for
    each of ``settings`` (already JSON or plain text, as the portal reads them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "FLASK_"))}
    env.update({f"PORTAL_{name}": value for name, value in settings.items()})
    return env


def _now() -> str:
    return time.strftime("%H:%M:%S")


class Service:
    """A long-running command in its own process group, its output appended to ``log``."""

    def __init__(self, name: str, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.args, self.log, self.env = name, args, log, env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            out.write(f"--- {_now()} {self.name} started: {' '.join(self.args)}\n")
            out.flush()
            self.process = subprocess.Popen(self.args, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """``kill -9`` of the process and its children (a crash, the OOM killer, a lost machine)."""
        if self.process is None:
            return
        self._signal_group(signal.SIGKILL)
        self.process.wait(10)
        self.process = None
        with self.log.open("a") as out:
            out.write(f"--- {_now()} {self.name} killed with -9\n")

    def stop(self) -> None:
        """A clean stop (SIGTERM), killed if it does not end in time."""
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def _signal_group(self, sig: int) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        return f"=== last {lines} lines of {self.name} ({self.log}):\n" + "\n".join(text[-lines:])


def wait_until(check: Callable[[], bool], what: str, services: Iterable[Service] = (), timeout: float = 120,
               every: float = 0.3) -> None:
    """Poll ``check`` every ``every`` seconds; fail with the services' logs when one of them
    ended or time is up."""
    services = list(services)
    deadline = time.monotonic() + timeout  # generous: CI machines can be busy
    while time.monotonic() < deadline:
        if check():
            return
        for service in services:
            if service.process is not None and not service.running:
                raise AssertionError(f"{service.name} ended ({service.process.returncode}) before {what}:\n"
                                     + service.tail())
        time.sleep(every)
    raise AssertionError(f"no {what} within {timeout} s\n" + "\n".join(s.tail() for s in services))


class BackendProcess(Service):
    """``portal demo-backend`` for innogy_pl, journaling every applied write in ``state_dir``.

    ``stop()`` kills it with -9 (an outage); ``start()`` brings it back on the same port,
    knowing every idempotency key it applied.
    """

    SUPPLIER = "innogy_pl"

    def __init__(self, state_dir: Path, as_of: str | None = None) -> None:
        self.port = free_port()
        self.state_dir = state_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        super().__init__("demo-backend", [
            *PORTAL, "demo-backend", "--port", str(self.port), "--state-dir", str(state_dir),
            "--supplier", self.SUPPLIER, *(["--as-of", as_of] if as_of else []),
        ], Path(f"{state_dir}.log"), env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.SUPPLIER}"

    def start(self) -> None:
        super().start()

        with httpx.Client(timeout=0.5) as http:  # one client: each new one loads the CA bundle again
            def answers() -> bool:
                try:
                    return http.get(f"http://127.0.0.1:{self.port}/").status_code == 200
                except httpx.TransportError:
                    return False

            wait_until(answers, "answer of the demo back-end", [self], timeout=30, every=0.05)

    def stop(self) -> None:
        self.kill()

    def journal(self) -> list[dict]:
        """The writes it applied, one entry each: ``{"kind", "key", "payload"}``."""
        path = self.state_dir / f"{self.SUPPLIER}.journal"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]
