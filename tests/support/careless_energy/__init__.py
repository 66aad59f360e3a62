"""Careless Energy: a supplier plugin with one defect for each check of the conformance suite."""
