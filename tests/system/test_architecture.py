"""The architecture's contracts (setup.cfg, ``[importlinter]``) hold, and they do catch a breach."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def _lint(config: Path, *, pythonpath: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=pythonpath or str(ROOT))
    return subprocess.run([LINT_IMPORTS, str(config), "--no-cache"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_project_keeps_its_import_contracts():
    result = _lint(ROOT / "setup.cfg")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " broken" in result.stdout and "0 broken" in result.stdout


def test_a_plugin_reaching_past_the_plugin_api_breaks_the_contract(tmp_path):
    """A plugin that imports a core module directly is named, with the import that does it."""
    plugin = tmp_path / "rogue_plugin"
    plugin.mkdir()
    (plugin / "__init__.py").write_text("")
    (plugin / "plugin.py").write_text("from core.plugin_api import hookimpl\nfrom core.models import User\n")
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    contract = "importlinter:contract:plugins-use-the-plugin-api"
    checked = configparser.ConfigParser()
    checked["importlinter"] = {"root_packages": "\ncore\nrogue_plugin",
                               "exclude_type_checking_imports": "True"}
    checked[contract] = dict(config[contract], source_modules="rogue_plugin",
                             ignore_imports=config[contract]["ignore_imports"].replace("plugins.", "rogue_plugin."),
                             unmatched_ignore_imports_alerting="none")
    with open(tmp_path / "contracts.cfg", "w") as out:
        checked.write(out)

    result = _lint(tmp_path / "contracts.cfg", pythonpath=f"{tmp_path}{os.pathsep}{ROOT}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "rogue_plugin.plugin -> core.models" in result.stdout


def test_every_feature_package_is_kept_above_the_framework():
    """A new feature package is named in the contract that keeps the framework below the features."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    forbidden = set(config["importlinter:contract:framework-below-features"]["forbidden_modules"].split())
    features = {f"core.{path.parent.name}" for path in (ROOT / "core").glob("*/hooks.py")} - {"core.framework"}
    assert features and features <= forbidden, sorted(features - forbidden)
