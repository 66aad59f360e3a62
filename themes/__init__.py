"""Bundled themes (data only): one folder per brand with theme.json, templates/, static/."""
