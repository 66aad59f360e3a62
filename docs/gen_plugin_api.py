"""Write docs/plugin-api.md, the field-level reference of the plugin API, from its source.

Every name in the ``__all__`` of a ``core.plugin_api`` module is documented: a class with
its docstring, its fields (name, type, default, description), its properties and methods;
a function with its signature and docstring; a constant or object with its docstring.
A field's description is its attribute docstring, the string right after it::

    code: str
    \"\"\"Short and stable: it names the supplier in URLs and settings.\"\"\"

Names, types and defaults are read from the source (``ast``) as written, so the page is
the same on every machine. Run from the repository's root::

    python docs/gen_plugin_api.py          # rewrite docs/plugin-api.md
    python docs/gen_plugin_api.py --check  # exit 1 if it is stale or a description is missing
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import functools
import importlib
import importlib.util
import inspect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "plugin-api.md"
COMMAND = "python docs/gen_plugin_api.py"
MODULES = (
    "core.plugin_api",
    "core.plugin_api.billing",
    "core.plugin_api.demo",
    "core.plugin_api.web",
    "core.plugin_api.testing",
)
_PROPERTY_DECORATORS = {"property", "cached_property", "declared_attr", "hybrid_property"}
_WRAPPERS = re.compile(r"^(?:Mapped|ClassVar)\[(.*)\]$")


@dataclass
class Field:
    """One attribute of a class: a dataclass field, a column, a property, an enum member."""

    name: str
    type: str = ""
    default: str = ""
    doc: str | None = None


@dataclass
class Entry:
    """One documented name: a class, a function or a piece of data."""

    name: str
    kind: str  # "class", "function", "data"
    doc: str | None = None
    signature: str = ""
    notes: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    methods: list[Entry] = field(default_factory=list)


# --- reading the source ---------------------------------------------------------------


@functools.cache
def _parsed(module_name: str) -> tuple[ast.Module, str]:
    source = Path(inspect.getsourcefile(importlib.import_module(module_name))).read_text(encoding="utf-8")
    return ast.parse(source), source


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        return stmt.targets
    if isinstance(stmt, ast.AnnAssign):
        return [stmt.target]
    return []


def _definition(module_name: str, name: str) -> tuple[str, ast.stmt, str | None]:
    """Where ``name`` of ``module_name`` is defined: module, statement, its attribute docstring.

    Imports are followed to the module that defines the name (a ``*`` import when the name
    is in that module's ``__all__``).
    """
    tree, _ = _parsed(module_name)
    for index, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.ClassDef | ast.FunctionDef) and stmt.name == name:
            return module_name, stmt, None
        if any(isinstance(t, ast.Name) and t.id == name for t in _targets(stmt)):
            return module_name, stmt, _docstring_after(tree.body, index)
        if isinstance(stmt, ast.ImportFrom):
            source = importlib.util.resolve_name("." * stmt.level + (stmt.module or ""), module_name) \
                if stmt.level else stmt.module
            for alias in stmt.names:
                if (alias.asname or alias.name) == name:
                    return _definition(source, alias.name)
                if alias.name == "*" and name in getattr(importlib.import_module(source), "__all__", ()):
                    return _definition(source, name)
    raise LookupError(f"{module_name}.{name}: no definition found")


def _docstring_after(stmts: list[ast.stmt], index: int) -> str | None:
    if index + 1 < len(stmts):
        following = stmts[index + 1]
        if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant) \
                and isinstance(following.value.value, str):
            return inspect.cleandoc(following.value.value)
    return None


@functools.cache
def _encoded_lines(source: str) -> list[bytes]:
    return [line.encode() for line in source.split("\n")]


def _segment(source: str, node: ast.AST | None) -> str:
    """The source text of ``node`` on one line (``ast.get_source_segment``, without re-splitting the file)."""
    if node is None:
        return ""
    lines = _encoded_lines(source)[node.lineno - 1:node.end_lineno]
    lines[-1] = lines[-1][:node.end_col_offset]
    lines[0] = lines[0][node.col_offset:]
    return " ".join(b"\n".join(lines).decode().split())


def _decorators(node: ast.FunctionDef | ast.ClassDef) -> set[str]:
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        names.add(target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", ""))
    return names


def _signature(node: ast.FunctionDef, source: str, skip_first: bool = False) -> str:
    """The parameters and return annotation of ``node`` as written."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)

    def param(arg: ast.arg, default: ast.expr | None, prefix: str = "") -> str:
        text = prefix + arg.arg
        if arg.annotation is not None:
            text += ": " + _segment(source, arg.annotation)
        if default is not None:
            text += (" = " if arg.annotation is not None else "=") + _segment(source, default)
        return text

    parts = [param(a, d) for a, d in zip(positional, defaults, strict=True)]
    if args.posonlyargs:
        parts.insert(len(args.posonlyargs), "/")
    if skip_first and parts:
        parts.pop(0)
    if args.vararg is not None:
        parts.append(param(args.vararg, None, "*"))
    elif args.kwonlyargs:
        parts.append("*")
    parts += [param(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    if args.kwarg is not None:
        parts.append(param(args.kwarg, None, "**"))
    returns = f" -> {_segment(source, node.returns)}" if node.returns is not None else ""
    return f"({', '.join(parts)}){returns}"


def _unwrapped_type(annotation: str) -> str:
    match = _WRAPPERS.match(annotation)
    return match.group(1) if match else annotation


def _default(value: ast.expr | None, source: str, dataclass_field: bool) -> str:
    """A field's default as written: ``field(default_factory=f)`` reads as ``f()``, a
    column as its ``default``; a class attribute shows only a literal value."""
    if value is None:
        return ""
    if isinstance(value, ast.Call):
        function = _segment(source, value.func).split(".")[-1]
        if function in ("field", "mapped_column", "Column"):
            for keyword in value.keywords:
                if keyword.arg == "default":
                    called = function != "field" and isinstance(keyword.value, ast.Name | ast.Attribute)
                    return _segment(source, keyword.value) + ("()" if called else "")
                if keyword.arg == "default_factory":
                    factory = keyword.value
                    if isinstance(factory, ast.Lambda):
                        return _segment(source, factory.body)
                    return _segment(source, factory) + "()"
            return ""
    if not dataclass_field:
        try:
            ast.literal_eval(value)
        except ValueError:
            return ""
    return _segment(source, value)


def _attributes(node: ast.ClassDef, source: str, dataclass_fields: bool) -> dict[str, Field]:
    """The attributes a class body declares, with their attribute docstrings, in order."""
    found: dict[str, Field] = {}

    def add(name: str, **values) -> None:
        if name.startswith("_"):
            return
        if name not in found:
            found[name] = Field(name, **values)
        elif found[name].doc is None:
            found[name].doc = values.get("doc")

    for index, stmt in enumerate(node.body):
        for target in _targets(stmt):
            if isinstance(target, ast.Name):
                annotation = _segment(source, stmt.annotation) if isinstance(stmt, ast.AnnAssign) else ""
                add(target.id, type=_unwrapped_type(annotation),
                    default=_default(stmt.value, source, dataclass_fields and isinstance(stmt, ast.AnnAssign)),
                    doc=_docstring_after(node.body, index))
        if isinstance(stmt, ast.FunctionDef) and _decorators(stmt) & _PROPERTY_DECORATORS:
            read_only = _decorators(stmt) & {"property", "cached_property"}
            add(stmt.name, type=_unwrapped_type(_segment(source, stmt.returns)),
                default="(read-only)" if read_only else "", doc=ast.get_docstring(stmt))
    for method in node.body:
        if not isinstance(method, ast.FunctionDef) or _decorators(method) & _PROPERTY_DECORATORS:
            continue
        params = {a.arg: _segment(source, a.annotation) for a in method.args.args + method.args.kwonlyargs}
        for block in ast.walk(method):
            for stmts in (getattr(block, name, None) for name in ("body", "orelse", "finalbody")):
                if not isinstance(stmts, list):
                    continue
                for index, stmt in enumerate(stmts):
                    for target in _targets(stmt):
                        if isinstance(target, ast.Attribute) and getattr(target.value, "id", None) == "self":
                            if isinstance(stmt, ast.AnnAssign):
                                annotation = _segment(source, stmt.annotation)
                            elif isinstance(stmt.value, ast.Name):
                                annotation = params.get(stmt.value.id, "")
                            else:
                                annotation = ""
                            add(target.attr, type=annotation, doc=_docstring_after(stmts, index))
    return found


def _class_node(cls: type, roots: set[str]) -> tuple[ast.ClassDef, str, bool] | None:
    """The source of ``cls`` if it is one of ours (a module under ``roots``), not a library's."""
    module = cls.__module__
    if module.split(".")[0] not in roots:
        return None
    try:
        _, node, _ = _definition(module, cls.__name__)
    except LookupError:
        return None
    if not isinstance(node, ast.ClassDef):
        return None
    return node, _parsed(module)[1], "__dataclass_fields__" in vars(cls) or "_fields" in vars(cls)


def _class_entry(name: str, cls: type, node: ast.ClassDef, source: str, documented: set[type],
                 roots: set[str]) -> Entry:
    entry = Entry(name, "class", ast.get_docstring(node))
    bases = [_segment(source, b) for b in node.bases]
    bases = [b for b in bases if not b.split(".")[-1].startswith("_") and b not in ("object", "abc.ABC")]
    if dataclasses.is_dataclass(cls):
        entry.notes.append("frozen dataclass" if cls.__dataclass_params__.frozen else "dataclass")
    elif issubclass(cls, enum.Enum):
        entry.notes.append("enum")
    elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
        entry.notes.append("named tuple")
        bases = [b for b in bases if b != "NamedTuple"]
    if hasattr(cls, "__table__"):
        entry.notes.append(f"model of table `{cls.__table__.name}`")
    if hasattr(cls, "_declared_fields"):
        entry.notes.append("marshmallow schema")
    if inspect.isabstract(cls) or "abc.ABC" in {_segment(source, b) for b in node.bases}:
        entry.notes.append("abstract")
    if bases:
        entry.notes.append("bases: " + ", ".join(f"`{b}`" for b in bases))

    attributes: dict[str, Field] = {}
    for base in reversed(cls.__mro__):
        located = _class_node(base, roots)
        if located is not None:
            for attr_name, attr in _attributes(*located).items():
                if attr_name not in attributes or attributes[attr_name].doc is None:
                    attributes[attr_name] = attr
    if dataclasses.is_dataclass(cls) or hasattr(cls, "_fields"):
        names = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else list(cls._fields)
        for attr_name in names:
            if attr_name in attributes and not attributes[attr_name].default:
                attributes[attr_name].default = "required"
        order = [n for n in names if n in attributes] + [n for n in attributes if n not in names]
        attributes = {n: attributes[n] for n in order}
    for attr_name, declared in getattr(cls, "_declared_fields", {}).items():  # a marshmallow schema
        if attr_name in attributes:
            attributes[attr_name].type = type(declared).__name__
            attributes[attr_name].default = "required" if declared.required else ""
    entry.fields = list(attributes.values())

    for stmt in node.body:
        if not isinstance(stmt, ast.FunctionDef) or _decorators(stmt) & _PROPERTY_DECORATORS:
            continue
        if stmt.name == "__init__" and not dataclasses.is_dataclass(cls):
            entry.signature = name + _signature(stmt, source, skip_first=True).removesuffix(" -> None")
        if stmt.name.startswith("_"):
            continue
        if any(stmt.name in vars(base) for base in cls.__mro__[1:] if base in documented):
            continue  # an implementation of a documented base's method: documented there
        decorators = _decorators(stmt)
        method = Entry(stmt.name, "method", ast.get_docstring(stmt))
        method.signature = stmt.name + _signature(stmt, source, skip_first="staticmethod" not in decorators)
        method.notes = [n for n in ("classmethod", "staticmethod", "abstractmethod") if n in decorators]
        entry.methods.append(method)
    return entry


@functools.cache
def _classes(modules: tuple[str, ...]) -> set[type]:
    """The classes ``modules`` export: their methods are documented with them."""
    exported = set()
    for module_name in modules:
        module = importlib.import_module(module_name)
        exported |= {v for v in (getattr(module, n) for n in getattr(module, "__all__", ())) if inspect.isclass(v)}
    return exported


def entries(module_name: str) -> list[Entry]:
    """What ``module_name`` exports, in the order of its ``__all__``."""
    module = importlib.import_module(module_name)
    names = list(getattr(module, "__all__", ()))
    documented = _classes(MODULES) | _classes((module_name,))
    result = []
    for name in names:
        value = getattr(module, name)
        origin, node, doc = _definition(module_name, name)
        source = _parsed(origin)[1]
        if inspect.isclass(value) and isinstance(node, ast.ClassDef):
            result.append(_class_entry(name, value, node, source, documented, {"core", module_name.split(".")[0]}))
        elif callable(value) and isinstance(node, ast.FunctionDef):
            result.append(Entry(name, "function", ast.get_docstring(node), name + _signature(node, source)))
        else:
            entry = Entry(name, "data", doc)
            kind = type(value)
            entry.signature = f"{kind.__module__.split('.')[0]}.{kind.__qualname__}"
            if isinstance(value, str | int | float):
                entry.signature = f"{kind.__qualname__} = {value!r}"
            result.append(entry)
    return result


# --- checking and writing ---------------------------------------------------------------


def problems(modules: tuple[str, ...] = MODULES) -> list[str]:
    """Every exported name, field and method without a description."""
    found = []
    for module_name in modules:
        if not (importlib.import_module(module_name).__doc__ or "").strip():
            found.append(f"{module_name}: no module docstring")
        for entry in entries(module_name):
            where = f"{module_name}.{entry.name}"
            if not entry.doc:
                found.append(f"{where}: no docstring")
            found += [f"{where}.{f.name}: no description" for f in entry.fields if not f.doc]
            found += [f"{where}.{m.name}(): no docstring" for m in entry.methods if not m.doc]
    return found


_ROLE = re.compile(r":(?:class|func|meth|data|mod|attr|exc|obj):`~?([^`]+)`")


def _markdown(text: str | None) -> str:
    """reStructuredText of a docstring as Markdown: literals, roles, fields, literal blocks."""
    lines, out, block = (text or "").splitlines(), [], False
    for line in lines:
        if block and (not line.strip() or line.startswith("    ")):
            if line.strip() or out[-1] != "```python":
                out.append(line[4:])
            continue
        if block:
            while out and not out[-1].strip():
                out.pop()
            out += ["```", ""]
            block = False
        line = re.sub(r"``([^`]+)``", r"`\1`", line)
        line = _ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1] if '~' in m.group(0) else m.group(1)}`", line)
        line = re.sub(r"^:param (\w+):", r"`\1`:", line)
        line = re.sub(r"^:raises ([\w.]+):", r"Raises `\1`:", line)
        line = re.sub(r"^:returns?:", "Returns:", line)
        if line.rstrip().endswith("::"):
            stripped = line.rstrip()[:-2].rstrip()
            out += [stripped + ":", ""] if stripped else [] if not out or not out[-1] else [""]
            out.append("```python")
            block = True
            continue
        out.append(line)
    if block:
        while out and not out[-1].strip():
            out.pop()
        out.append("```")
    return "\n".join(out).strip()


def _cell(text: str) -> str:
    return " ".join(_markdown(text).split()).replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _render_entry(entry: Entry) -> list[str]:
    out = [f"### `{entry.name}`", ""]
    if entry.notes:
        out += ["*" + "; ".join(entry.notes) + "*", ""]
    if entry.signature:
        prefix = "def " if entry.kind == "function" else ""
        out += ["```python", prefix + entry.signature if entry.kind != "data" else f"{entry.name}: {entry.signature}",
                "```", ""]
    if entry.doc:
        out += [_markdown(entry.doc), ""]
    if entry.fields:
        enum_like = "enum" in entry.notes
        if enum_like:
            out += ["| member | value | description |", "| --- | --- | --- |"]
        else:
            fields_like = any("dataclass" in n or n in ("named tuple", "marshmallow schema") for n in entry.notes)
            model = any(n.startswith("model") for n in entry.notes)
            out += ["| field | type | default | description |" if fields_like else
                    "| attribute | type | default | description |" if model else
                    "| attribute | type | value | description |", "| --- | --- | --- | --- |"]
        for f in entry.fields:
            cells = [_code(f.name), _code(f.default)] if enum_like else \
                [_code(f.name), _code(f.type), f.default if f.default in ("required", "(read-only)") else _code(f.default)]
            out.append("| " + " | ".join([*(c.replace("|", "\\|") for c in cells), _cell(f.doc or "")]) + " |")
        out.append("")
    if entry.methods:
        out += ["Methods:", ""]
        for method in entry.methods:
            notes = f" *({', '.join(method.notes)})*" if method.notes else ""
            doc = _markdown(method.doc).replace("\n", "\n  ")
            out.append(f"- `{method.signature}`{notes}" + (f"\n\n  {doc}" if doc else ""))
            out.append("")
    return out


def render(modules: tuple[str, ...] = MODULES) -> str:
    """The reference page for ``modules``."""
    out = [
        f"<!-- Generated by `{COMMAND}` from the plugin API's docstrings: edit those, then run it. -->",
        "",
        "# Plugin API reference",
        "",
        "Every public name of `core.plugin_api`, the one package a supplier plugin imports, field by",
        "field, generated from the docstrings (`tests/plugins/test_plugin_api_docs.py` keeps this page in step",
        "with the code). [plugins.md](plugins.md) explains how the pieces fit together.",
        "",
    ]
    out += [f"- [`{m}`](#{m.replace('.', '')})" for m in modules] + [""]
    for module_name in modules:
        module = importlib.import_module(module_name)
        found = entries(module_name)
        out += [f"## `{module_name}`", "", _markdown(module.__doc__), ""]
        if found:
            out += [" · ".join(f"[`{e.name}`](#{e.name.lower()})" for e in found), ""]
        for entry in found:
            out += _render_entry(entry)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    text, missing = render(), problems()
    for problem in missing:
        print(problem, file=sys.stderr)
    if "--check" in argv:
        stale = not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text
        if stale:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1 if stale or missing else 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
