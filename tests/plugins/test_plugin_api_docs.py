"""docs/plugin-api.md, the plugin API's field-level reference, says what the code says."""

from __future__ import annotations

import ast
import difflib
import importlib.util
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_plugin_api", ROOT / "docs" / "gen_plugin_api.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def test_every_public_name_field_and_method_is_described():
    missing = gen.problems()
    assert not missing, "describe these in their docstrings (an attribute's docstring is the string after it):\n" + \
        "\n".join(missing)


def test_the_committed_reference_is_the_generated_one():
    committed, generated = gen.OUTPUT.read_text(encoding="utf-8"), gen.render()
    diff = "".join(list(difflib.unified_diff(
        committed.splitlines(keepends=True), generated.splitlines(keepends=True),
        "docs/plugin-api.md (committed)", "docs/plugin-api.md (generated)"))[:60])
    assert committed == generated, f"docs/plugin-api.md is out of date: run `{gen.COMMAND}`\n{diff}"


def test_the_reference_names_the_check_a_request_type_receives():
    text = gen.OUTPUT.read_text(encoding="utf-8")
    section = text[text.index("### `RequestType`"):text.index("### `RequestStep`")]
    check = next(line for line in section.splitlines() if line.startswith("| `check` |"))
    for words in ("check(adapter, account, data)", "`BillingAdapter`", "`BillingAccount`", "`BackendUnavailable`",
                  "422", "`None` or `{}`"):
        assert words in check, f"the check row does not say {words!r}"


SAMPLE = '''
    """A sample API."""

    from dataclasses import dataclass, field

    LIMIT = 3


    @dataclass(frozen=True)
    class Described:
        """Has a docstring."""

        name: str
        """Its name."""
        sizes: tuple[int, ...] = field(default_factory=tuple)

        def grow(self, by: int = 1) -> int:
            return by


    def undocumented(value: str, *, strict: bool = False) -> str:
        return value


    __all__ = ["Described", "undocumented", "LIMIT"]
'''


def _sample(tmp_path, monkeypatch, name: str) -> str:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(SAMPLE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_a_name_field_or_method_without_a_description_is_reported(tmp_path, monkeypatch):
    module = _sample(tmp_path, monkeypatch, "sample_api_missing")
    assert gen.problems((module,)) == [
        "sample_api_missing.Described.sizes: no description",
        "sample_api_missing.Described.grow(): no docstring",
        "sample_api_missing.undocumented: no docstring",
        "sample_api_missing.LIMIT: no docstring",
    ]


def test_fields_are_rendered_with_type_default_and_description(tmp_path, monkeypatch):
    text = gen.render((_sample(tmp_path, monkeypatch, "sample_api_render"),))
    assert "| `name` | `str` | required | Its name. |" in text
    assert "| `sizes` | `tuple[int, ...]` | `tuple()` |  |" in text
    assert "- `grow(by: int = 1) -> int`" in text
    assert "def undocumented(value: str, *, strict: bool = False) -> str" in text
    assert "LIMIT: int = 3" in text


def test_check_mode_fails_on_a_stale_page_and_names_the_command(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "plugin-api.md"
    stale.write_text(gen.OUTPUT.read_text(encoding="utf-8").replace("frozen dataclass", "dataclass", 1))
    monkeypatch.setattr(gen, "OUTPUT", stale)
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    assert gen.main(["--check"]) == 1
    assert f"run `{gen.COMMAND}`" in capsys.readouterr().err


def _code_blocks(path: Path) -> list[str]:
    return [textwrap.dedent(block) for block in re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)]


def test_examples_import_the_core_only_through_the_plugin_api():
    imported = 0
    for path in (ROOT / "docs" / "plugins.md", ROOT / "README.md"):
        for block in _code_blocks(path):
            for node in ast.walk(ast.parse(block)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "core":
                    assert node.module == "core.plugin_api" or node.module.startswith("core.plugin_api."), \
                        f"{path.name} imports {node.module}: examples import from core.plugin_api"
                    module = importlib.import_module(node.module)
                    for alias in node.names:
                        if alias.name != "*":
                            assert alias.name in module.__all__, f"{path.name}: {node.module} has no {alias.name}"
                            imported += 1
                elif isinstance(node, ast.Import):
                    assert not any(a.name.split(".")[0] == "core" for a in node.names), f"{path.name}: import core..."
    assert imported, "docs/plugins.md shows how a plugin imports the plugin API"
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert "(plugin-api.md)" in text, "docs/plugins.md links to the reference"
