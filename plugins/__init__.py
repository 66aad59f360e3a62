"""Supplier plugins bundled with the portal, one package per supplier."""
