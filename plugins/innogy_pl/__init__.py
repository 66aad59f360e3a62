"""innogy Polska ("Moje innogy"): electricity and gas supplier in Poland, mostly Warsaw."""
