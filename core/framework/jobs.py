"""Background jobs on Celery: sync, outbox relay, and whatever plugins schedule.

In production the broker is Redis (``PORTAL_CELERY_BROKER_URL``) and workers and beat
run as their own processes (``portal worker``, ``portal beat``). With no broker set — the
embedded default of a fresh machine — Celery runs every task eagerly in the calling
process: the same task code, no Redis needed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from zoneinfo import ZoneInfo

from celery import Celery, Task, shared_task
from celery.schedules import crontab
from flask import Flask, current_app

from core.config import ConfigurationError
from core.framework import outbox
from core.framework.descriptions import ScheduledJob
from core.framework.sync import sync_tenant
from core.framework.tenancy import Tenant, tenant_context

log = logging.getLogger(__name__)


def init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("CELERY_BROKER_URL")
    celery: Celery[Task] = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=app.config.get("CELERY_RESULT_BACKEND"),
        task_ignore_result=not app.config.get("CELERY_RESULT_BACKEND"),
        task_always_eager=not broker,
        task_acks_late=True,  # a worker killed mid-task leaves the task for another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        timezone="UTC",
        task_default_queue=app.config["CELERY_QUEUE"],
        beat_schedule_filename=app.config["BEAT_SCHEDULE_FILE"]
        or os.path.join(app.instance_path, "celerybeat-schedule"),
        beat_schedule={
            "relay-outbox": {"task": "portal.relay_all", "schedule": app.config["RELAY_INTERVAL"]},
            "sync-billing-data": {"task": "portal.sync_all", "schedule": app.config["SYNC_INTERVAL"]},
        },
    )
    celery.conf.beat_schedule.update(_plugin_schedule(app))
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


class TenantCrontab(crontab):
    """A crontab read on a tenant's clock (the app's clock is UTC).

    Module-level and picklable: beat's default scheduler keeps the schedule in a shelve file.
    """

    def __init__(self, *args, zone: str = "UTC", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    @property
    def tz(self) -> ZoneInfo:  # type: ignore[override]  # celery-types has it str; Celery's is a tzinfo
        return ZoneInfo(self.zone)

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.tz)

    def __reduce__(self):
        cls, args, kwargs = super().__reduce__()
        return cls, args, {**kwargs, "zone": self.zone}

    def __setstate__(self, state) -> None:
        state = dict(state)
        self.zone = state.pop("zone", "UTC")
        super().__setstate__(state)  # type: ignore[misc]  # crontab has one; celery-types lacks it

    def __eq__(self, other) -> bool:
        return super().__eq__(other) is True and getattr(other, "zone", None) == self.zone


def scheduled_jobs(app: Flask, tenant: Tenant) -> list[ScheduledJob]:
    """A tenant's jobs, with the schedule ``JOB_SCHEDULE`` gives them where it names them.

    ``JOB_SCHEDULE`` maps a job name (every tenant) or ``"tenant:job"`` (that tenant only,
    which wins) to ``{"every": seconds}`` or ``{"at_hour": hour on the tenant's clock}``.
    """
    overrides = app.config["JOB_SCHEDULE"]
    jobs = []
    for job in tenant.scheduled_jobs():
        override = overrides.get(f"{tenant.code}:{job.name}", overrides.get(job.name))
        jobs.append(job if override is None else _rescheduled(job, override))
    return jobs


def _rescheduled(job: ScheduledJob, override) -> ScheduledJob:
    if isinstance(override, dict) and set(override) == {"every"}:
        every = override["every"]
        if isinstance(every, dt.timedelta):
            every = every.total_seconds()
        if isinstance(every, int | float) and not isinstance(every, bool) and every > 0:
            return dataclasses.replace(job, every=dt.timedelta(seconds=every), at_hour=None)
    if isinstance(override, dict) and set(override) == {"at_hour"}:
        hour = override["at_hour"]
        if isinstance(hour, int) and not isinstance(hour, bool) and 0 <= hour <= 23:
            return dataclasses.replace(job, every=None, at_hour=hour)
    raise ConfigurationError(
        f"JOB_SCHEDULE of {job.name!r}: give {{\"every\": seconds}} or {{\"at_hour\": 0-23}}, not {override!r}"
    )


def _plugin_schedule(app: Flask) -> dict:
    tenants = app.extensions["portal_tenants"]
    if not isinstance(app.config["JOB_SCHEDULE"], dict):
        raise ConfigurationError(f"JOB_SCHEDULE is a mapping of job names (JSON), not {app.config['JOB_SCHEDULE']!r}")
    known = {name for tenant in tenants for job in tenant.scheduled_jobs()
             for name in (job.name, f"{tenant.code}:{job.name}")}
    unknown = sorted(set(app.config["JOB_SCHEDULE"]) - known)
    if unknown:
        raise ConfigurationError(f"JOB_SCHEDULE names no job of any tenant: {', '.join(unknown)}")
    schedule = {}
    for tenant in tenants:
        for job in scheduled_jobs(app, tenant):
            if job.at_hour is not None:  # daily, at that hour of the tenant's clock
                when = TenantCrontab(minute=0, hour=job.at_hour, zone=tenant.timezone)
            else:
                when = job.every
            schedule[f"{tenant.code}:{job.name}"] = {
                "task": "portal.plugin_job", "schedule": when, "args": (tenant.code, job.name),
            }
    return schedule


@shared_task(name="portal.plugin_job", ignore_result=True)
def plugin_job(tenant_code: str, job_name: str) -> None:
    """Run one of a plugin's scheduled jobs for a tenant."""
    tenant = _tenant(tenant_code)
    job = next((j for j in tenant.scheduled_jobs() if j.name == job_name), None)
    if job is None:
        raise LookupError(f"tenant {tenant_code!r} has no job {job_name!r}")
    with tenant_context(tenant_code):
        job.run(tenant)


def _tenant(code: str) -> Tenant:
    return current_app.extensions["portal_tenants"][code]


@shared_task(name="portal.relay", ignore_result=True)
def relay_task(tenant_code: str, limit: int | None = None) -> int:
    """Deliver a batch of due messages; while more are due, the next batch is queued.

    Each task is bounded (``RELAY_BATCH`` messages, claimed ``RELAY_CLAIM`` at a time so
    parallel relays share the work), so a worker never runs one long task, and a backlog
    after an outage drains batch after batch without waiting for beat's next tick.
    Messages waiting for a retry are not due: no busy loop.
    """
    limit = limit or current_app.config["RELAY_BATCH"]
    tenant = _tenant(tenant_code)
    with tenant_context(tenant_code):
        if current_app.extensions["celery"].conf.task_always_eager:
            return outbox.drain(tenant, limit).delivered  # in process: the same batches, in a loop
        stats = outbox.relay(tenant, limit, claim=current_app.config["RELAY_CLAIM"])
    if stats.claimed >= limit:
        relay_task.delay(tenant_code, limit)
    return stats.delivered


@shared_task(name="portal.deliver", ignore_result=True)
def deliver_task(tenant_code: str, message_ids: list[int]) -> int:
    """Deliver the messages a write just stored (those still due; the relay takes the rest)."""
    tenant = _tenant(tenant_code)
    with tenant_context(tenant_code):
        delivered = outbox.relay(tenant, len(message_ids), only=message_ids).delivered
        if current_app.extensions["celery"].conf.task_always_eager:
            # in process there is no beat: each write also takes a few messages due for a retry
            delivered += outbox.relay(tenant, current_app.config["RELAY_CLAIM"]).delivered
        return delivered


@shared_task(name="portal.sync", ignore_result=True)
def sync_task(tenant_code: str) -> int:
    with tenant_context(tenant_code):
        return sync_tenant(_tenant(tenant_code), current_app.config["SYNC_BATCH_SIZE"]).accounts


@shared_task(name="portal.relay_all", ignore_result=True)
def relay_all() -> None:
    """Beat's tick: ``RELAY_PARALLEL`` relays per tenant, each draining batch after batch."""
    for tenant in current_app.extensions["portal_tenants"]:
        for _ in range(current_app.config["RELAY_PARALLEL"]):
            relay_task.delay(tenant.code)


@shared_task(name="portal.sync_all", ignore_result=True)
def sync_all() -> None:
    for tenant in current_app.extensions["portal_tenants"]:
        sync_task.delay(tenant.code)


def deliver_new(new: dict[str, list[int]]) -> None:
    """After a commit that stored outbox messages: hand them to a worker (or deliver them
    right here when no broker is set)."""
    for tenant_code, message_ids in new.items():
        deliver_task.delay(tenant_code, message_ids)


outbox.on_commit(deliver_new)
