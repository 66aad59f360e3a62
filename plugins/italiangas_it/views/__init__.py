"""The plugin's own pages, served only on Italiangas hosts (``portal_blueprints``)."""
