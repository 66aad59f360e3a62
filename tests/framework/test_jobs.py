"""Jobs: eager in process by default; a real Celery worker with Redis when configured."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import BillingAccount
from tests.conftest import SUPPORT, TEST_TENANTS
from tests.support.broker import redis_running
from tests.support.processes import portal_env


def test_embedded_default_runs_tasks_in_process(app):
    from core.framework.jobs import sync_task

    assert app.extensions["celery"].conf.task_always_eager
    with app.app_context():
        sync_task.delay("innogy")
        with tenant_context("innogy"):
            assert db.session.execute(select(func.count()).select_from(BillingAccount)).scalar_one() == 50


@pytest.mark.slow
@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_real_worker_with_redis_runs_sync_and_relay(make_app, migrated, tmp_path, smtp_server, demo_identity):
    import uuid

    import redis

    broker = "redis://127.0.0.1:6379/14"
    queue = f"portal-test-{uuid.uuid4().hex[:12]}"  # concurrent runs never share a queue
    env = portal_env(SECRET_KEY="worker-test", SQLALCHEMY_DATABASE_URI=migrated,
        TENANTS=json.dumps(TEST_TENANTS), DEFAULT_TENANT="null",
        THEME_PATHS=json.dumps([str(SUPPORT / "themes")]), CELERY_BROKER_URL=broker, CELERY_QUEUE=queue,
        INSTANCE_PATH=str(tmp_path), MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_server.port),
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "core.worker", "worker", "--pool=solo", "--loglevel=INFO",
         "-Q", queue, "--without-gossip", "--without-mingle"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        app = make_app(CELERY_BROKER_URL=broker, CELERY_QUEUE=queue)
        assert not app.extensions["celery"].conf.task_always_eager
        from core.framework.jobs import sync_task

        with app.app_context():
            sync_task.delay("innogy")
        deadline = time.monotonic() + 180  # generous: CI machines can be busy
        count = 0
        while time.monotonic() < deadline and count < 50:
            with app.app_context(), tenant_context("innogy"):
                count = db.session.execute(select(func.count()).select_from(BillingAccount)).scalar_one()
                db.session.remove()
            time.sleep(0.3)
        assert count == 50, "the worker did not sync the tenant"

        # a request filed on the web is delivered by the worker
        from tests.service_requests.test_service_requests import CONTACT, _linked

        client = app.test_client()
        account, key = _linked(app, client, smtp_server, demo_identity[0], "worker@example.com")
        location = client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT}).location
        deadline = time.monotonic() + 180
        page = ""
        while time.monotonic() < deadline and "accepted by the supplier" not in page:
            page = client.get(location).get_data(as_text=True)
            time.sleep(0.3)
        assert "accepted by the supplier" in page
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        redis.Redis.from_url(broker).delete(queue)
    assert "portal.sync" in output
