"""The text of a PDF the portal made with fpdf2, run by run, with where each run is printed.

Enough of a PDF reader for the invoices of ``core.billing.pdf``: it follows the pages,
their content streams (deflated or not) and the Type0 fonts fpdf2 embeds (the glyph
widths of ``/W`` and the ``/ToUnicode`` map), and reads the ``BT ... Td (...) Tj ET``
runs fpdf2 writes. Each :class:`TextRun` says what was printed, where (millimetres from
the page's top-left corner), in which font and how wide, so a test can check that two
texts never overlap or that a word was not broken over two lines.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_POINTS_PER_MM = 72 / 25.4
_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.DOTALL)
_REFERENCE = rb"(\d+) 0 R"


@dataclass(frozen=True)
class TextRun:
    """One string a content stream printed."""

    page: int
    """1 for the first page."""
    x: float
    """Left edge of the text, in mm from the page's left edge."""
    baseline: float
    """Its baseline, in mm from the page's top."""
    width: float
    """How wide the text is, in mm."""
    size: float
    """Font size, in points."""
    bold: bool
    """Whether the font is a bold face."""
    text: str
    """What it says."""

    @property
    def right(self) -> float:
        """Right edge of the text, in mm from the page's left edge."""
        return self.x + self.width


@dataclass
class _Font:
    widths: dict[int, float]
    default_width: float
    unicode: dict[int, str]
    bold: bool

    def decode(self, data: bytes) -> tuple[str, float]:
        codes = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
        text = "".join(self.unicode.get(code, "\ufffd") for code in codes)
        return text, sum(self.widths.get(code, self.default_width) for code in codes) / 1000


def fill_colours(document: bytes) -> set[tuple[int, int, int]]:
    """Every colour the document's streams fill with (``r g b rg``, as 0-255 values): text,
    shapes and drawings (an SVG logo is drawn as paths)."""
    colours = set()
    for _number, body in _OBJECT.findall(document):
        if b"stream" not in body:
            continue
        for rgb in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) rg", _stream(body)):
            colours.add(tuple(round(float(value) * 255) for value in rgb))
    return colours


def text_runs(document: bytes) -> list[TextRun]:
    """Every text run of ``document``, page by page, in the order they were printed."""
    objects = {int(number): body for number, body in _OBJECT.findall(document)}
    fonts: dict[int, _Font] = {}
    runs: list[TextRun] = []
    for page_number, page in enumerate(_pages(objects), start=1):
        height = float(re.search(rb"/MediaBox\s*\[\s*\S+\s+\S+\s+\S+\s+([\d.]+)", page + _parent_box(objects)).group(1))
        resources = _resolve(objects, page, b"Resources")
        font_names = {
            name.decode(): int(ref)
            for name, ref in re.findall(rb"/(\w+)\s+" + _REFERENCE, _dictionary_after(resources, b"/Font"))
        }
        contents = _resolve(objects, page, b"Contents")
        for name, ref in font_names.items():
            if ref not in fonts:
                fonts[ref] = _font(objects, objects[ref])
        runs.extend(_runs(_stream(contents), {n: fonts[r] for n, r in font_names.items()}, page_number, height))
    return runs


def _parent_box(objects: dict[int, bytes]) -> bytes:
    return next((body for body in objects.values() if re.search(rb"/Type\s*/Pages\b", body)), b"")


def _pages(objects: dict[int, bytes]) -> list[bytes]:
    tree = _parent_box(objects)
    kids = re.search(rb"/Kids\s*\[(.*?)\]", tree, re.DOTALL)
    assert kids is not None, "no page tree"
    return [objects[int(ref)] for ref in re.findall(_REFERENCE, kids.group(1))]


def _resolve(objects: dict[int, bytes], body: bytes, key: bytes) -> bytes:
    """The value of ``/key`` in ``body``, an indirect object followed to its body."""
    found = re.search(rb"/" + key + rb"\s+" + _REFERENCE, body)
    if found:
        return objects[int(found.group(1))]
    return _dictionary_after(body, b"/" + key)


def _dictionary_after(body: bytes, key: bytes) -> bytes:
    """The ``<< ... >>`` that follows ``key`` in ``body`` (nested dictionaries included)."""
    start = body.find(key)
    if start < 0:
        return b""
    start = body.find(b"<<", start)
    depth, position = 0, start
    while position < len(body):
        if body.startswith(b"<<", position):
            depth += 1
            position += 2
        elif body.startswith(b">>", position):
            depth -= 1
            position += 2
            if depth == 0:
                return body[start:position]
        else:
            position += 1
    return body[start:]


def _stream(body: bytes) -> bytes:
    length = int(re.search(rb"/Length\s+(\d+)", body).group(1))
    start = re.search(rb"stream\r?\n", body).end()
    data = body[start:start + length]
    return zlib.decompress(data) if b"/FlateDecode" in body[:start] else data


def _font(objects: dict[int, bytes], body: bytes) -> _Font:
    descendant = objects[int(re.search(rb"/DescendantFonts\s*\[\s*" + _REFERENCE, body).group(1))]
    bold = b"Bold" in re.search(rb"/BaseFont\s*/(\S+)", body).group(1)
    default = float(re.search(rb"/DW\s+(\d+)", descendant).group(1)) if b"/DW" in descendant else 1000.0
    widths: dict[int, float] = {}
    w = re.search(rb"/W\s*\[(.*)\]", descendant, re.DOTALL)
    tokens = re.findall(rb"\[|\]|[\d.]+", w.group(1)) if w else []
    position = 0
    while position < len(tokens):
        first = int(tokens[position])
        if tokens[position + 1] == b"[":
            position += 2
            code = first
            while tokens[position] != b"]":
                widths[code] = float(tokens[position])
                code += 1
                position += 1
            position += 1
        else:
            last, width = int(tokens[position + 1]), float(tokens[position + 2])
            for code in range(first, last + 1):
                widths[code] = width
            position += 3
    unicode: dict[int, str] = {}
    cmap = _stream(objects[int(re.search(rb"/ToUnicode\s+" + _REFERENCE, body).group(1))])
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            unicode[int(code, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                unicode[code] = chr(base + offset)
    return _Font(widths, default, unicode, bold)


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _tokens(content: bytes):
    """The operands and operators of a content stream; strings come as ``bytes`` in a tuple."""
    position, length = 0, len(content)
    while position < length:
        char = content[position:position + 1]
        if char.isspace():
            position += 1
        elif char == b"(":
            depth, position, value = 1, position + 1, bytearray()
            while depth:
                char = content[position:position + 1]
                if char == b"\\":
                    following = content[position + 1:position + 2]
                    if following.isdigit():
                        octal = re.match(rb"[0-7]{1,3}", content[position + 1:position + 4]).group(0)
                        value.append(int(octal, 8) & 0xFF)
                        position += 1 + len(octal)
                        continue
                    value += _ESCAPES.get(following, following)
                    position += 2
                    continue
                if char == b"(":
                    depth += 1
                elif char == b")":
                    depth -= 1
                    if not depth:
                        position += 1
                        break
                value += char
                position += 1
            yield ("string", bytes(value))
        elif char == b"<" and content[position:position + 2] != b"<<":
            end = content.index(b">", position)
            yield ("string", bytes.fromhex(content[position + 1:end].decode()))
            position = end + 1
        elif char in b"[]":
            yield char.decode()
            position += 1
        else:
            match = re.match(rb"<<|>>|/?[^\s()<>\[\]/]+", content[position:])
            token = match.group(0)
            position += len(token)
            yield token.decode("latin-1")


def _runs(content: bytes, fonts: dict[str, _Font], page: int, height: float) -> list[TextRun]:
    runs: list[TextRun] = []
    operands: list[object] = []
    font: _Font | None = None
    size = 0.0
    saved: list[tuple[_Font | None, float]] = []
    line_x = x = y = 0.0  # the start of the line (Td) and where the next string goes
    for token in _tokens(content):
        if isinstance(token, tuple) or token in ("[", "]") or re.fullmatch(r"/\S+|-?[\d.]+", token):
            operands.append(token)
            continue
        if token == "q":
            saved.append((font, size))
        elif token == "Q" and saved:
            font, size = saved.pop()
        elif token == "Tf":
            font, size = fonts[str(operands[-2]).lstrip("/")], float(str(operands[-1]))
        elif token == "BT":
            line_x = x = y = 0.0
        elif token == "Td":
            line_x, y = line_x + float(str(operands[-2])), y + float(str(operands[-1]))
            x = line_x
        elif token in ("Tj", "TJ") and font is not None:
            strings = [operand[1] for operand in operands if isinstance(operand, tuple)]
            text, em = font.decode(b"".join(strings))
            runs.append(
                TextRun(page, x / _POINTS_PER_MM, (height - y) / _POINTS_PER_MM, em * size / _POINTS_PER_MM,
                        size, font.bold, text)
            )
            x += em * size
        operands = []
    return runs
