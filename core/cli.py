"""The ``portal`` command: Flask's CLI plus the portal's own commands."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, NoAppException, ScriptInfo, with_appcontext
from flask_migrate.cli import db as migrate_group
from werkzeug.serving import run_simple

from core.config import ConfigurationError
from core.scaffold_data import COUNTRIES


def _create_app():
    """The portal as configured; settings that cannot work end the command with their message."""
    from core.app import create_app

    try:
        return create_app()
    except ConfigurationError as exc:
        raise NoAppException(f"the portal cannot start: {exc}") from exc


class PortalGroup(FlaskGroup):
    """Flask's command group whose help works before anything is configured.

    Flask lists the commands an app adds by creating the app; where it cannot start (no
    secret key, tenants that do not work) the help still lists every command of the
    portal, and ends with why the portal would not start, instead of a traceback.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        info = ctx.ensure_object(ScriptInfo)
        try:
            info.load_app()
        except NoAppException as exc:
            ctx.meta["portal.not_started"] = exc.format_message()
            self._load_plugin_commands()
            return sorted(click.Group.list_commands(self, ctx))
        return super().list_commands(ctx)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        reason = ctx.meta.get("portal.not_started")
        if reason:
            formatter.write_paragraph()
            formatter.write_text(f"Commands that need the configured portal stop with this message: {reason}")


@click.group(cls=PortalGroup, create_app=_create_app, help="Utility Portal management commands.")
def main() -> None:
    pass


main.add_command(migrate_group)  # `portal db ...` is listed even where the portal cannot start


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Start again from an empty demo database.")
@click.option("--no-serve", is_flag=True, help="Prepare the database and exit.")
def demo(host: str, port: int, reset: bool, no_serve: bool) -> None:
    """Create the SQLite demo database, load demo data and serve the portal."""
    from core.demo.service import prepare_demo

    app = _demo_app()
    with app.app_context():
        summary = prepare_demo(app, reset=reset)
    for line in summary:
        click.echo(line)
    if no_serve:
        return
    click.echo(f"Demo portal: http://localhost:{port}/ lists the brands; each brand's mailbox is at /demo/mailbox")
    run_simple(host, port, app, threaded=True)


def _demo_app():
    """The app as ``portal demo`` serves it: demo mode, every brand on its own host."""
    from core.app import create_app

    return create_app({
        "DEMO": True, "DEFAULT_TENANT": None,  # plain localhost shows the list of brands
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
    })


@main.command("demo-backend", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True, type=int)
@click.option("--state-dir", default="instance/demo-backend", show_default=True,
              help="Where accepted submissions are journaled (kept across restarts).")
@click.option("--supplier", "suppliers", multiple=True, help="Serve only this supplier (repeatable).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Describe the suppliers as they stood on this date (default: today).")
def demo_backend(host: str, port: int, state_dir: str, suppliers: tuple[str, ...], as_of) -> None:
    """Serve the demo suppliers' billing systems over HTTP (the reference billing API).

    Point a tenant at it with settings {"backend_url": "http://HOST:PORT/<supplier code>"}.
    """
    from core.demo.server import create_backend_app

    app = create_backend_app(state_dir, list(suppliers) or None, as_of.date() if as_of else None)
    click.echo(f"demo back-end for {', '.join(app.config['SERVED_SUPPLIERS'])} on http://{host}:{port}/")
    run_simple(host, port, app, threaded=True)


@main.command("demo-accounts", with_appcontext=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def demo_accounts(as_json: bool) -> None:
    """List the demo customers and what each types to link their account, by identity
    method (a condominium administrator's code too); "linked" marks the accounts the brand's
    demo login already has."""
    from core.demo.service import demo_accounts as listing
    from core.framework.tenancy import tenant_context

    app = _demo_app()
    tenants = app.extensions["portal_tenants"]
    with app.app_context():
        result = {}
        for tenant in tenants:
            with tenant_context(tenant.code):
                result[tenant.code] = listing(tenant)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    for code, identities in result.items():
        click.echo(f"== {code} ({tenants[code].supplier.name}): {len(identities)} demo identities")
        for method in dict.fromkeys(i["method"] for i in identities):
            rows = [{k: _shown(v) for k, v in i.items() if k != "method"} for i in identities if i["method"] == method]
            columns = list(dict.fromkeys(c for row in rows for c in row))
            widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
            click.echo(f"-- {method}")
            click.echo("  ".join(c.ljust(widths[c]) for c in columns))
            for row in rows:
                click.echo("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def _shown(value) -> str:
    """A value of a demo identity in a table cell: "yes" for linked, a list comma-separated."""
    if isinstance(value, bool):
        return "yes" if value else ""
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


@main.command("sync")
@click.option("--tenant", "tenant_codes", multiple=True, help="Only this tenant (repeatable).")
@with_appcontext
def sync_command(tenant_codes: tuple[str, ...]) -> None:
    """Bring the portal's copy of the billing data up to date now."""
    from core.framework.sync import sync_tenant
    from core.framework.tenancy import tenant_context

    tenants = current_app.extensions["portal_tenants"]
    unknown = [code for code in tenant_codes if code not in tenants.by_code]
    if unknown:
        raise click.BadParameter(f"unknown tenant: {', '.join(unknown)}", param_hint="--tenant")
    failed = False
    for tenant in tenants:
        if tenant_codes and tenant.code not in tenant_codes:
            continue
        with tenant_context(tenant.code):
            report = sync_tenant(tenant, current_app.config["SYNC_BATCH_SIZE"])
        status = f"stopped: {report.error}" if report.error else "up to date"
        click.echo(f"{tenant.code}: {report.accounts} accounts in {report.batches} batches, {status}")
        failed = failed or report.error is not None
    if failed:
        raise SystemExit(1)


@main.group("outbox")
def outbox_group() -> None:
    """Customer writes on their way to the suppliers' back-ends."""


@outbox_group.command("list")
@click.option("--status", type=click.Choice(["pending", "parked", "rejected", "delivered"]), default="parked", show_default=True)
@with_appcontext
def outbox_list(status: str) -> None:
    """Messages in a state, with their last error (parked ones need an operator)."""
    from sqlalchemy import select

    from core.framework.extensions import db
    from core.models import OutboxMessage

    rows = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.status == status)
        .order_by(OutboxMessage.id).execution_options(all_tenants=True)
    ).scalars().all()
    for row in rows:
        click.echo(f"{row.id}\t{row.tenant}\t{row.kind}\t{row.attempts} attempts\t{row.last_error or ''}")
    click.echo(f"{len(rows)} {status}")


@outbox_group.command("requeue")
@click.argument("message_ids", nargs=-1, type=int)
@click.option("--tenant", "tenant_code", required=True)
@with_appcontext
def outbox_requeue(message_ids: tuple[int, ...], tenant_code: str) -> None:
    """Send parked messages of a tenant on their way again (all, or the ids given)."""
    from core.framework import outbox
    from core.framework.tenancy import tenant_context

    with tenant_context(tenant_code):
        count = outbox.requeue_parked(list(message_ids) or None)
    click.echo(f"requeued {count}")


@main.group("jobs")
def jobs_group() -> None:
    """Plugins' scheduled jobs."""


@jobs_group.command("list")
@with_appcontext
def jobs_list() -> None:
    """Each tenant's jobs and when beat runs them."""
    from core.framework.jobs import scheduled_jobs

    for tenant in current_app.extensions["portal_tenants"]:
        for job in scheduled_jobs(current_app, tenant):
            when = f"daily at {job.at_hour}:00" if job.at_hour is not None else f"every {job.every}"
            click.echo(f"{tenant.code}\t{job.name}\t{when}")


@jobs_group.command("run")
@click.argument("name")
@click.option("--tenant", "tenant_code", required=True)
@with_appcontext
def jobs_run(name: str, tenant_code: str) -> None:
    """Run a plugin's scheduled job now."""
    from core.framework.jobs import plugin_job

    plugin_job.run(tenant_code, name)
    click.echo(f"ran {name} for {tenant_code}")


@main.command("worker", with_appcontext=False, context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker (outbox relay, sync, mail, plugin jobs)."""
    from core.worker import celery

    celery.worker_main(["worker", "--loglevel=INFO", *celery_args])


@main.command("beat", with_appcontext=False, context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def beat(celery_args: tuple[str, ...]) -> None:
    """Run Celery beat, the schedule of relay and sync (one per deployment)."""
    from core.worker import celery

    celery.start(["beat", "--loglevel=INFO", *celery_args])


@main.group("i18n")
def i18n_group() -> None:
    """Message catalogs of the core and of every loaded plugin."""


_DOMAIN_OPTION = click.option(
    "--domain", "names", multiple=True, metavar="NAME",
    help="Only this gettext domain: messages (the core's) or a plugin's (repeatable; default: all).",
)


def _domains(names: tuple[str, ...]):
    from core.framework.catalogs import CatalogError, all_domains, select_domains

    try:
        return select_domains(all_domains(), names)
    except CatalogError as exc:
        raise click.BadParameter(str(exc), param_hint="--domain") from exc


def _editable_domains(names: tuple[str, ...]):
    """The domains whose sources may change: a named installed one stops the command,
    an installed one of "all" is skipped with a note."""
    from core.framework.catalogs import CatalogError, editable

    chosen = []
    for domain in _domains(names):
        try:
            chosen.append(editable(domain))
        except CatalogError as exc:
            if names:
                raise click.UsageError(str(exc)) from exc
            click.echo(f"skipped {domain.name}: {exc}", err=True)
    return chosen


@i18n_group.command("extract", with_appcontext=False)
@_DOMAIN_OPTION
def i18n_extract(names: tuple[str, ...]) -> None:
    """Collect translatable strings into one .pot template per domain."""
    from core.framework.catalogs import extract

    for domain in _editable_domains(names):
        extract(domain)
        click.echo(f"extracted {domain.name} -> {domain.template}")


@i18n_group.command("update", with_appcontext=False)
@_DOMAIN_OPTION
def i18n_update(names: tuple[str, ...]) -> None:
    """Merge the templates into the catalogs of each domain's languages (creating missing ones).

    The core's are pl, cs, uk and it; a plugin's are its supported locales but English.
    """
    from core.framework.catalogs import update

    for domain in _editable_domains(names):
        update(domain)
        click.echo(f"updated {domain.name}")


@i18n_group.command("compile", with_appcontext=False)
@_DOMAIN_OPTION
def i18n_compile(names: tuple[str, ...]) -> None:
    """Compile every catalog to .mo (installed plugins' too: a deployment runs it after installing)."""
    from core.framework.catalogs import compile_catalogs

    for domain in _domains(names):
        count = compile_catalogs(domain)
        click.echo(f"compiled {domain.name}: {count} catalogs")


@main.command("new-plugin", with_appcontext=False)
@click.argument("name")
@click.option("--dest", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to create the package folder NAME in.")
@click.option("--country", default="PL", show_default=True,
              help=f"ISO 3166 country code of the supplier: its demo data ({', '.join(COUNTRIES)}; others generic).")
@click.option("--currency", default=None, help="ISO 4217 currency code of its bills  [default: the country's]")
@click.option("--timezone", default=None, help="IANA time zone of its customers  [default: the country's]")
@click.option("--locale", default=None, type=click.Choice(["pl", "cs", "uk", "it", "en"]),
              help="Default language, that of its invoices; the plugin offers all five portal languages  "
                   "[default: the country's, else en]")
def new_plugin(name: str, dest: Path, country: str, currency: str | None, timezone: str | None,
               locale: str | None) -> None:
    """Generate a supplier plugin package NAME (outside this repository).

    The package installs with pip, registers the entry point NAME in the utility_portal
    group and passes the plugin conformance suite as generated. Its demo customers live
    in the country given (towns, postcodes, streets, names, VAT rate, supply point codes)
    and its invoices print in the default language.
    """
    from core.scaffold import PluginSpec, ScaffoldError, scaffold

    try:
        spec = PluginSpec(name, country.upper(), currency.upper() if currency else None, timezone, locale)
        target = scaffold(spec, dest)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"created {spec.display_name} plugin in {target}")
    click.echo(f"next: cd {target} && python -m pip install -e '.[test]' && python -m pytest")


@main.group("maintenance")
def maintenance_group() -> None:
    """Planned maintenance windows, announced on every page of a tenant before they start."""


def _tenant_option(code: str):
    tenants = current_app.extensions["portal_tenants"]
    if code not in tenants.by_code:
        raise click.BadParameter(f"unknown tenant: {code}", param_hint="--tenant")
    return tenants[code]


@maintenance_group.command("add")
@click.option("--tenant", "tenant_code", required=True)
@click.option("--from", "starts", required=True, help="Start, YYYY-MM-DD HH:MM in the tenant's time zone.")
@click.option("--to", "ends", required=True, help="End, YYYY-MM-DD HH:MM in the tenant's time zone.")
@click.option("--announce-days", type=click.IntRange(min=0), default=None,
              help="Days before the start when the banner appears (default: MAINTENANCE_ANNOUNCE_DAYS).")
@click.option("--note", default=None, help="A line added to the banner as typed (for example what is affected).")
@with_appcontext
def maintenance_add(tenant_code: str, starts: str, ends: str, announce_days: int | None, note: str | None) -> None:
    """Announce a maintenance window of a tenant."""
    from core.framework.tenancy import tenant_context
    from core.maintenance import service as maintenance

    tenant = _tenant_option(tenant_code)
    with tenant_context(tenant.code):
        try:
            window = maintenance.add_window(
                tenant, maintenance.local_datetime(tenant, starts), maintenance.local_datetime(tenant, ends),
                announce_days=announce_days, note=note,
            )
        except maintenance.MaintenanceError as exc:
            raise click.UsageError(str(exc)) from exc
        click.echo(f"window {window.id} added; shown from {maintenance.local_text(tenant, window.announce_from)}")


@maintenance_group.command("list")
@click.option("--tenant", "tenant_code", required=True)
@click.option("--all", "include_past", is_flag=True, help="Include windows that are over.")
@with_appcontext
def maintenance_list(tenant_code: str, include_past: bool) -> None:
    """A tenant's maintenance windows, in its time zone."""
    from core.framework.tenancy import tenant_context
    from core.maintenance import service as maintenance

    tenant = _tenant_option(tenant_code)
    with tenant_context(tenant.code):
        rows = maintenance.windows(include_past)
        for w in rows:
            click.echo(f"{w.id}\t{maintenance.local_text(tenant, w.starts_at)}\t{maintenance.local_text(tenant, w.ends_at)}"
                       f"\tshown from {maintenance.local_text(tenant, w.announce_from)}\t{w.note or ''}")
    click.echo(f"{len(rows)} windows")


@maintenance_group.command("remove")
@click.argument("window_id", type=int)
@click.option("--tenant", "tenant_code", required=True)
@with_appcontext
def maintenance_remove(window_id: int, tenant_code: str) -> None:
    """Cancel a maintenance window (its banner disappears)."""
    from core.framework.tenancy import tenant_context
    from core.maintenance import service as maintenance

    tenant = _tenant_option(tenant_code)
    with tenant_context(tenant.code):
        if not maintenance.remove_window(window_id):
            raise click.UsageError(f"tenant {tenant.code} has no maintenance window {window_id}")
    click.echo(f"window {window_id} removed")
