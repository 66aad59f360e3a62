"""The WSGI applications ``bench/read_path.py`` serves with gunicorn.

``standalone()``: a bare Flask app with one "fortunes" route (TechEmpower's test: one query of
about twelve rows, one more row added in code, a sort, a small escaped template), the floor
a Flask page cannot go under. ``portal()``: the portal, configured from ``PORTAL_*`` variables
as a deployment is, with the same fortunes route added by a plugin at ``/bench/fortunes``
behind the sign-in, so that its cost over the stand-alone one is the framework's per-request
work (session and login, tenancy, CSRF, limiter, headers, locale).
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask
from flask_login import login_required
from jinja2 import Template
from sqlalchemy import create_engine, text

from core.plugin_api import db, hookimpl

FORTUNES_QUERY = text("SELECT id, message FROM fortune")
FORTUNES_PAGE = Template(
    """<!doctype html><html><head><title>Fortunes</title></head><body>
<table><tr><th>id</th><th>message</th></tr>
{% for id, message in fortunes %}<tr><td>{{ id }}</td><td>{{ message }}</td></tr>
{% endfor %}</table></body></html>""",
    autoescape=True,
)
FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]


def render_fortunes(rows) -> str:
    """The page of the fortunes test from the rows of the ``fortune`` table."""
    fortunes = [tuple(row) for row in rows]
    fortunes.append((0, "Additional fortune added at request time."))
    fortunes.sort(key=lambda fortune: fortune[1])
    return FORTUNES_PAGE.render(fortunes=fortunes)


def standalone() -> Flask:
    """The baseline: Flask, SQLAlchemy's connection pool and Jinja, nothing else."""
    app = Flask("fortunes")
    url = os.environ["PORTAL_SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, pool_size=4)

    @app.route("/fortunes")
    def fortunes():
        with engine.connect() as connection:
            return render_fortunes(connection.execute(FORTUNES_QUERY))

    return app


class BenchPages:
    """A plugin (public plugin API only) adding the fortunes route for signed-in customers."""

    @hookimpl
    def portal_blueprints(self):
        bp = Blueprint("bench", __name__, url_prefix="/bench")

        @bp.route("/fortunes")
        @login_required
        def fortunes():
            return render_fortunes(db.session.execute(FORTUNES_QUERY))

        return [bp]


def portal() -> Flask:
    """The portal as gunicorn serves it in a deployment, plus the fortunes route."""
    from core import create_app

    return create_app(plugins=[BenchPages()])
