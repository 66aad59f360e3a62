"""The documentation says what the code does."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from core import hookspecs

DOCS = Path(__file__).parents[2] / "docs"


def _hook_signatures() -> dict[str, str]:
    signatures = {}
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("portal_"):
            sig = inspect.signature(function)
            params = ", ".join(
                f"{p.name}: {p.annotation}" if p.annotation is not inspect.Parameter.empty else p.name
                for p in sig.parameters.values()
            )
            signatures[name] = f"{name}({params}) -> {sig.return_annotation}"
    return signatures


def test_every_hook_is_documented_with_its_signature():
    headings = re.findall(r"^### `((portal_\w+)\(.*\) -> .+)`$", (DOCS / "plugins.md").read_text(), re.M)
    documented = {name: signature for signature, name in headings}
    code = _hook_signatures()
    assert set(documented) == set(code), f"undocumented: {set(code) - set(documented)}; unknown: {set(documented) - set(code)}"
    for name, signature in code.items():
        assert documented[name] == signature, f"docs say {documented[name]!r}, code says {signature!r}"


def test_entry_point_group_in_docs_matches_the_code():
    from core.framework.plugins import ENTRY_POINT_GROUP

    text = (DOCS / "plugins.md").read_text()
    assert f"[project.entry-points.{ENTRY_POINT_GROUP}]" in text
    setup = (Path(__file__).parents[2] / "setup.cfg").read_text()
    assert f"\n{ENTRY_POINT_GROUP} =" in setup


def test_every_setting_is_documented():
    from core.config import DefaultConfig

    text = (DOCS / "configuration.md").read_text()
    missing = [name for name in vars(DefaultConfig) if name.isupper() and f"`{name}`" not in text]
    assert not missing, f"settings missing from docs/configuration.md: {missing}"
