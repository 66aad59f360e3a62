"""The plugin's own gettext domain."""

from __future__ import annotations

from importlib.resources import files

from flask_babel import Domain

TRANSLATIONS_DIR = str(files(__package__) / "translations")
GETTEXT_DOMAIN = "careless_energy"

_ = Domain(translation_directories=[TRANSLATIONS_DIR], domain=GETTEXT_DOMAIN).lazy_gettext
