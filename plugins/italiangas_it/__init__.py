"""Italiangas ("Area Clienti"): electricity and gas supplier in Italy, with condominium administrators."""
