"""The demo's commands: ``portal demo accounts`` and ``portal demo``."""

from __future__ import annotations

import json
import subprocess

from tests.framework.test_config_cli import PORTAL, _env


def test_demo_accounts_lists_identities_as_json(tmp_path):
    result = subprocess.run([*PORTAL, "demo-accounts", "--json"], env=_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["innogy"]) >= 50
    first = data["innogy"][0]
    assert {"customer_number", "invoice_number", "gross_amount"} <= set(first)


def test_demo_accounts_table(tmp_path):
    result = subprocess.run([*PORTAL, "demo-accounts"], env=_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "customer_number" in result.stdout and "innogy" in result.stdout


def test_demo_prepares_database_and_demo_login(tmp_path):
    result = subprocess.run(
        [*PORTAL, "demo", "--no-serve"], env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "demo@innogy.example" in result.stdout
    again = subprocess.run([*PORTAL, "demo", "--no-serve"], env=_env(tmp_path), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    # the accounts list says which identity the demo login already has, and lists every method's
    listed = subprocess.run([*PORTAL, "demo-accounts", "--json"], env=_env(tmp_path), capture_output=True, text=True)
    data = json.loads(listed.stdout)
    assert [i["linked"] for i in data["innogy"]].count(True) == 1 and data["innogy"][0]["linked"]
    administrators = [i for i in data["italiangas"] if i["method"] == "admin_code"]
    assert administrators and all(i["admin_code"] and len(i["account_numbers"]) > 1 for i in administrators)
    table = subprocess.run([*PORTAL, "demo-accounts"], env=_env(tmp_path), capture_output=True, text=True).stdout
    assert "-- admin_code" in table and "linked" in table and "['" not in table
