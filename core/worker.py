"""The Celery application for ``portal worker`` / ``portal beat`` (or ``celery -A core.worker``).

Workers and beat build the portal app from the same settings as the web servers.
"""

import os

from core import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
# beat keeps the schedule's state (when each entry last ran) in this file
os.makedirs(os.path.dirname(os.path.abspath(celery.conf.beat_schedule_filename)), exist_ok=True)
