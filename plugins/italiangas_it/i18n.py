"""The plugin's own gettext domain, so its strings never shadow the core's catalogs."""

from __future__ import annotations

from importlib.resources import files

from flask_babel import Domain

TRANSLATIONS_DIR = str(files(__package__) / "translations")
GETTEXT_DOMAIN = "italiangas_it"

domain = Domain(translation_directories=[TRANSLATIONS_DIR], domain=GETTEXT_DOMAIN)
_ = domain.lazy_gettext
ngettext = domain.ngettext
gettext = domain.gettext
