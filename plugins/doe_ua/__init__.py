"""Дніпрообленерго ("Особистий кабінет споживача"): household electricity in the Dnipro region."""
