"""docs/deploy.md as written: in a fresh virtual environment the guide's commands install the
portal, migrate the database, compile the catalogs and start gunicorn, a worker and beat on the
guide's settings (only addresses and secrets point at this machine)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.broker import forget_queue, redis_running
from tests.support.deploy_guide import GUIDE, GUIDE_ADDRESS, guide_commands
from tests.support.smtp import free_port

ROOT = Path(__file__).parents[2]
SERVICES = ("gunicorn", "portal worker", "portal beat")  # they run until stopped; other commands must succeed
# settings the guide leaves to the site (secrets, hosts of the database, Redis and SMTP)
SITE_SETTINGS = {
    "PORTAL_SECRET_KEY", "PORTAL_SQLALCHEMY_DATABASE_URI", "PORTAL_RATELIMIT_STORAGE_URI",
    "PORTAL_CELERY_BROKER_URL", "PORTAL_CACHE_REDIS_URL", "PORTAL_MAIL_SERVER", "PORTAL_MAIL_PORT", "PORTAL_MAIL_USE_TLS",
    "PORTAL_MAIL_USERNAME", "PORTAL_MAIL_PASSWORD", "PORTAL_INSTANCE_PATH",
}
BRAND_HOST = "moje.innogy.example"  # the tenant the guide configures
BROKER = "redis://127.0.0.1:6379/7"


def _guide_settings() -> dict[str, str]:
    settings = {}
    for words in guide_commands("Settings"):
        assert words[0] == "export", words
        settings.update(word.split("=", 1) for word in words[1:])
    return settings


def _path_without_this_venv() -> list[str]:
    """PATH without the virtual environment running the tests: nothing may come from it."""
    if sys.prefix == sys.base_prefix:
        return os.environ["PATH"].split(os.pathsep)
    here = Path(sys.prefix).resolve()
    return [p for p in os.environ["PATH"].split(os.pathsep) if p and not Path(p).resolve().is_relative_to(here)]



def _wheelhouse(tmp_path: Path) -> Path:
    """This checkout and its dependencies as wheels: the package index the guide's pip sees."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "instance", "*.egg-info", "__pycache__", ".*_cache"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", str(wheels), ".[server]"],
                   cwd=source, check=True, capture_output=True, timeout=600)
    return wheels


def _wait_for(check, what: str, services: dict, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        for name, (process, log) in services.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} ended ({process.returncode}):\n{log.read_text()}")
        time.sleep(0.3)
    raise AssertionError(f"{what} within {timeout} s")


def _serves(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"Host": BRAND_HOST}, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379 (the guide's workers need a broker)")
def test_the_deploy_guide_runs_as_written(tmp_path, scratch_database_url, smtp_server):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    port, queue = free_port(), f"portal-guide-{uuid.uuid4().hex[:12]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "FLASK_", "PYTHON", "VIRTUAL_ENV"))}
    env.update({
        "VIRTUAL_ENV": str(venv), "PATH": os.pathsep.join([str(venv / "bin"), *_path_without_this_venv()]),
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(_wheelhouse(tmp_path)),  # pip installs this checkout
    })
    settings = _guide_settings()
    assert SITE_SETTINGS <= set(settings), "the guide's minimum settings changed: update SITE_SETTINGS"
    env.update(settings)
    env.update({
        "PORTAL_SECRET_KEY": "deploy-guide-test-key", "PORTAL_SQLALCHEMY_DATABASE_URI": scratch_database_url,
        "PORTAL_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/8",
        "PORTAL_CELERY_BROKER_URL": BROKER, "PORTAL_CELERY_QUEUE": queue,
        "PORTAL_CACHE_REDIS_URL": "redis://127.0.0.1:6379/8", "PORTAL_CACHE_KEY_PREFIX": f"{queue}:",
        "PORTAL_MAIL_SERVER": "127.0.0.1", "PORTAL_MAIL_PORT": str(smtp_server.port), "PORTAL_MAIL_USE_TLS": "false",
        "PORTAL_MAIL_USERNAME": "null", "PORTAL_MAIL_PASSWORD": "null",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"), "PORTAL_RELAY_INTERVAL": "1",
    })
    workdir = tmp_path / "work"  # not the checkout: everything must come from the installed package
    workdir.mkdir()

    services: dict[str, tuple[subprocess.Popen, Path]] = {}
    try:
        for words in guide_commands("App servers") + guide_commands("Workers and beat"):
            command = shlex.join(words).replace(GUIDE_ADDRESS, f"127.0.0.1:{port}")
            name = next((s for s in SERVICES if command.startswith(s)), None)
            if name is None:
                done = subprocess.run(["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True,
                                      timeout=600)
                assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
                continue
            log = tmp_path / f"{name.replace(' ', '-')}.log"
            with log.open("w") as out:
                services[name] = (subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=workdir, env=env,
                                                   stdout=out, stderr=subprocess.STDOUT), log)
        assert set(services) == set(SERVICES), f"the guide starts {sorted(services)}"
        assert GUIDE_ADDRESS in GUIDE.read_text()

        installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import core; print(core.__file__)"],
                                   cwd=workdir, env=env, capture_output=True, text=True, check=True).stdout
        assert installed.startswith(str(venv)), installed

        _wait_for(lambda: _serves(port), "gunicorn serves the portal", services)
        base, https = f"http://127.0.0.1:{port}", {"X-Forwarded-Proto": "https"}  # behind the guide's proxy
        health = httpx.get(f"{base}/healthz", headers={"Host": BRAND_HOST, **https})
        assert health.json()["tenant"] == "innogy"
        assert "max-age" in health.headers["Strict-Transport-Security"]
        login = httpx.get(f"{base}/login", headers={"Host": BRAND_HOST, "Accept-Language": "pl", **https})
        assert login.status_code == 200
        assert "Moje innogy" in login.text and "Zaloguj się" in login.text  # the brand, the compiled catalog
        assert "Secure" in login.headers["Set-Cookie"]
        assert httpx.get(f"{base}/login", headers={"Host": "unknown.example"}).status_code == 404

        def logged(name: str, text: str) -> bool:
            return text in services[name][1].read_text()

        _wait_for(lambda: logged("portal beat", "Sending due task relay-outbox"), "beat schedules the relay", services)
        _wait_for(lambda: re.search(r"Task portal\.relay_all\[[^]]+\] succeeded",
                                    services["portal worker"][1].read_text()) is not None,
                  "the worker runs the relay", services)
    finally:
        for process, _log in services.values():
            process.send_signal(signal.SIGTERM)
        for process, _log in services.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        forget_queue(BROKER, queue)
    assert list((tmp_path / "instance").glob("celerybeat-schedule*")), "beat keeps its schedule in the instance folder"
