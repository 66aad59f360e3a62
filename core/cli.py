"""The ``portal`` command: Flask's CLI plus the portal's own commands."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple


def _create_app():
    from core.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, help="Utility Portal management commands.")
def main() -> None:
    pass


@main.command("demo", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Start again from an empty demo database.")
@click.option("--no-serve", is_flag=True, help="Prepare the database and exit.")
def demo(host: str, port: int, reset: bool, no_serve: bool) -> None:
    """Create the SQLite demo database, load demo data and serve the portal."""
    from core.app import create_app
    from core.demo import prepare_demo

    os.environ.setdefault("PORTAL_DEMO", "true")
    app = create_app({
        "DEMO": True, "DEFAULT_TENANT": None,  # plain localhost shows the list of brands
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
    })
    with app.app_context():
        summary = prepare_demo(app, reset=reset)
    for line in summary:
        click.echo(line)
    if no_serve:
        return
    click.echo(f"Demo portal: http://localhost:{port}/ lists the brands; each brand's mailbox is at /demo/mailbox")
    run_simple(host, port, app, threaded=True)


@main.command("demo-accounts")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def demo_accounts(as_json: bool) -> None:
    """List the demo customers and what each types to link their account."""
    tenants = current_app.extensions["portal_tenants"]
    result = {t.code: t.adapter.demo_identities() for t in tenants}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        return
    for code, identities in result.items():
        click.echo(f"== {code} ({tenants[code].supplier.name}): {len(identities)} demo customers")
        if not identities:
            continue
        columns = list(identities[0])
        widths = {c: max(len(c), *(len(str(i.get(c, ""))) for i in identities)) for c in columns}
        click.echo("  ".join(c.ljust(widths[c]) for c in columns))
        for identity in identities:
            click.echo("  ".join(str(identity.get(c, "")).ljust(widths[c]) for c in columns))


@main.group("i18n")
def i18n_group() -> None:
    """Message catalogs of the core and of every loaded plugin."""


def _domains():
    from core.catalogs import all_domains

    return all_domains()


@i18n_group.command("extract", with_appcontext=False)
def i18n_extract() -> None:
    """Collect translatable strings into one .pot template per domain."""
    from core.catalogs import extract

    for domain in _domains():
        extract(domain)
        click.echo(f"extracted {domain.name} -> {domain.template}")


@i18n_group.command("update", with_appcontext=False)
def i18n_update() -> None:
    """Merge the templates into the pl, cs, uk and it catalogs (creating missing ones)."""
    from core.catalogs import update

    for domain in _domains():
        update(domain)
        click.echo(f"updated {domain.name}")


@i18n_group.command("compile", with_appcontext=False)
def i18n_compile() -> None:
    """Compile every catalog to .mo."""
    from core.catalogs import compile_catalogs

    for domain in _domains():
        count = compile_catalogs(domain)
        click.echo(f"compiled {domain.name}: {count} catalogs")


@main.command("new-plugin", with_appcontext=False)
@click.argument("name")
@click.option("--dest", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to create the package folder NAME in.")
@click.option("--country", default="PL", show_default=True, help="ISO 3166 country code of the supplier.")
@click.option("--currency", default="PLN", show_default=True, help="ISO 4217 currency code of its bills.")
@click.option("--timezone", default="Europe/Warsaw", show_default=True, help="IANA time zone of its customers.")
@click.option("--locale", default="pl", show_default=True, type=click.Choice(["pl", "cs", "uk", "it", "en"]),
              help="Default language; the plugin offers all five portal languages.")
def new_plugin(name: str, dest: Path, country: str, currency: str, timezone: str, locale: str) -> None:
    """Generate a supplier plugin package NAME (outside this repository).

    The package installs with pip, registers the entry point NAME in the utility_portal
    group and passes the plugin conformance suite as generated.
    """
    from core.scaffold import PluginSpec, ScaffoldError, scaffold

    try:
        spec = PluginSpec(name, country.upper(), currency.upper(), timezone, locale)
        target = scaffold(spec, dest)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"created {spec.display_name} plugin in {target}")
    click.echo(f"next: cd {target} && python -m pip install -e '.[test]' && python -m pytest")
