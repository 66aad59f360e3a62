"""docs/deploy.md read as a script: the commands of its ``sh`` blocks, section by section."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

GUIDE = Path(__file__).parents[2] / "docs" / "deploy.md"
GUIDE_ADDRESS = "127.0.0.1:8000"  # gunicorn's address in the guide; tests serve on a free port


def guide_commands(title: str) -> list[list[str]]:
    """The commands of the ``sh`` blocks under a heading of the guide, without comments."""
    text = GUIDE.read_text()
    part = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", part, re.S | re.M)
    assert blocks, f"no sh block under {title!r}"
    return [words for block in blocks for line in block.splitlines() if (words := shlex.split(line, comments=True))]
