"""ČEZ Prodej ("Zákaznický portál ČEZ"): electricity and gas supplier in Czechia."""
