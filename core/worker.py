"""The Celery application for ``portal worker`` / ``portal beat`` (or ``celery -A core.worker``).

Workers and beat build the portal app from the same settings as the web servers.
"""

from core import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
