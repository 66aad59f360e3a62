"""``portal i18n``: compiling, current catalog templates, and ``extract|update --domain`` of one
domain, never an installed copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.framework.test_config_cli import PORTAL, _env

ROOT = Path(__file__).parents[2]


def test_i18n_compile_command(tmp_path):
    # on a copy of the source tree: the command writes every .mo file anew, and the other test
    # processes of the run read them meanwhile
    tree = tmp_path / "tree"
    for part in ("core", "plugins", "translations", "themes"):
        shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    result = subprocess.run([*PORTAL, "i18n", "compile"], env=_env(tmp_path, PYTHONPATH=str(tree)), cwd=tree,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "compiled messages: 4 catalogs" in result.stdout
    assert "compiled innogy_pl: 4 catalogs" in result.stdout
    assert len(list((tree / "translations").glob("*/LC_MESSAGES/messages.mo"))) == 4  # there, not in the checkout


def test_catalog_templates_are_current(tmp_path):
    """Every string in the code is in the committed templates: `portal i18n extract` was run."""
    from dataclasses import replace

    from babel.messages.pofile import read_po

    from core.framework.catalogs import all_domains, extract

    for domain in all_domains():
        fresh = replace(domain, translations_dir=tmp_path / domain.name)
        extract(fresh)
        with open(fresh.template, "rb") as new, open(domain.template, "rb") as committed:
            new_ids = {m.id for m in read_po(new) if m.id}
            old_ids = {m.id for m in read_po(committed) if m.id}
        assert new_ids == old_ids, f"{domain.name}: run `portal i18n extract` and `update`: {sorted(map(str, new_ids ^ old_ids))[:5]}"


CATALOG_PLUGIN = "acme_catalog"


NEW_STRING = "A string added after the plugin was generated"


def _plugin_on_path(tmp_path, installed: str | None = None) -> tuple[dict[str, str], Path]:
    """A generated plugin importable with its entry point, and the environment that finds it.

    ``installed=None`` is a source tree, as ``pip install -e`` leaves it: the package in its
    project, the metadata elsewhere. ``"target"`` is what ``pip install --target`` writes
    (the files listed in the RECORD beside them), ``"site-packages"`` a virtual environment's.
    """
    from core.scaffold import PluginSpec, scaffold

    project = scaffold(PluginSpec(CATALOG_PLUGIN), tmp_path / "src")
    package = project / CATALOG_PLUGIN
    (package / "extra.py").write_text(f"from {CATALOG_PLUGIN}.i18n import _\n\nNOTE = _({NEW_STRING!r})\n")
    meta_root = tmp_path / "meta"
    if installed is not None:
        root = tmp_path / ("lib/site-packages" if installed == "site-packages" else "target")
        root.mkdir(parents=True)
        package = Path(shutil.move(package, root / CATALOG_PLUGIN))
        meta_root = root
    dist_info = meta_root / f"{CATALOG_PLUGIN}-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {CATALOG_PLUGIN}\nVersion: 0.1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[utility_portal]\n{CATALOG_PLUGIN} = {CATALOG_PLUGIN}.plugin\n")
    if installed == "target":
        files = sorted(p.relative_to(meta_root).as_posix() for p in package.rglob("*") if p.is_file())
        (dist_info / "RECORD").write_text("".join(f"{name},,\n" for name in files))
    env = _env(tmp_path, PYTHONPATH=os.pathsep.join([str(meta_root), str(package.parent)]),
               PORTAL_PLUGINS=json.dumps([CATALOG_PLUGIN]))
    return env, package


def _catalog_files() -> dict[Path, bytes]:
    """Every catalog of the portal's own tree, to prove a command left them alone."""
    root = ROOT
    paths = [*root.glob("translations/**/*.po*"), *root.glob("plugins/*/translations/**/*.po*")]
    return {path: path.read_bytes() for path in paths}


def test_i18n_extract_and_update_touch_only_the_domain_named(tmp_path):
    env, package = _plugin_on_path(tmp_path)
    before = _catalog_files()
    extract = subprocess.run([*PORTAL, "i18n", "extract", "--domain", CATALOG_PLUGIN], env=env,
                             capture_output=True, text=True)
    assert extract.returncode == 0, extract.stderr
    assert extract.stdout.splitlines() == [f"extracted {CATALOG_PLUGIN} -> {package / 'translations' / CATALOG_PLUGIN}.pot"]
    update = subprocess.run([*PORTAL, "i18n", "update", "--domain", CATALOG_PLUGIN], env=env,
                            capture_output=True, text=True)
    assert update.returncode == 0, update.stderr
    assert update.stdout.splitlines() == [f"updated {CATALOG_PLUGIN}"]
    assert NEW_STRING in (package / "translations" / f"{CATALOG_PLUGIN}.pot").read_text()
    for locale in ("pl", "cs", "uk", "it"):
        assert NEW_STRING in (package / "translations" / locale / "LC_MESSAGES" / f"{CATALOG_PLUGIN}.po").read_text()
    assert _catalog_files() == before  # the core's and the bundled plugins' catalogs untouched


@pytest.mark.parametrize("layout", ["target", "site-packages"])
def test_i18n_refuses_a_domain_installed_outside_a_source_tree(tmp_path, layout):
    env, package = _plugin_on_path(tmp_path, installed=layout)
    template = package / "translations" / f"{CATALOG_PLUGIN}.pot"
    before = {path: path.read_bytes() for path in package.rglob("*.po*")}
    for command in ("extract", "update"):
        result = subprocess.run([*PORTAL, "i18n", command, "--domain", CATALOG_PLUGIN], env=env,
                                capture_output=True, text=True)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert f"the {CATALOG_PLUGIN} domain is installed in {package.parent}" in " ".join(result.stderr.split())
        assert "pip install -e" in result.stderr
    assert {path: path.read_bytes() for path in package.rglob("*.po*")} == before
    assert NEW_STRING not in template.read_text()
    compiled = subprocess.run([*PORTAL, "i18n", "compile", "--domain", CATALOG_PLUGIN], env=env,
                              capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr  # a deployment compiles installed catalogs
    assert (package / "translations" / "cs" / "LC_MESSAGES" / f"{CATALOG_PLUGIN}.mo").is_file()


def test_i18n_names_the_domains_when_one_is_unknown(tmp_path):
    result = subprocess.run([*PORTAL, "i18n", "extract", "--domain", "nowhere"], env=_env(tmp_path),
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "no catalog domain nowhere: the domains are messages, cez_cz" in " ".join(result.stderr.split())


def test_i18n_without_a_domain_skips_the_installed_ones_with_a_note(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from core.cli import main
    from core.framework import catalogs

    source = catalogs.CatalogDomain("mine", tmp_path / "src" / "mine", tmp_path / "src" / "mine" / "translations")
    installed = catalogs.CatalogDomain("theirs", tmp_path / "site-packages" / "theirs",
                                       tmp_path / "site-packages" / "theirs" / "translations")
    for domain in (source, installed):
        domain.source_dir.mkdir(parents=True)
        (domain.source_dir / "strings.py").write_text(f"_ = str\nTEXT = _('A string of {domain.name}')\n")
    monkeypatch.setattr(catalogs, "all_domains", lambda: [source, installed])
    result = CliRunner().invoke(main, ["i18n", "extract"])
    assert result.exit_code == 0, result.output
    assert f"extracted mine -> {source.template}" in result.output
    assert f"skipped theirs: the theirs domain is installed in {tmp_path / 'site-packages'}" in result.output
    assert source.template.is_file() and not installed.translations_dir.exists()
