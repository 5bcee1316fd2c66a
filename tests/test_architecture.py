"""The shape of the code stays readable from its names (docs/architecture.md).

import-linter holds the layers (pyproject.toml); these checks hold what it cannot
say: a capability with several modules is one package whose private modules
(``_name.py``) only that package imports, and no folder grows a family of
``prefix_*.py`` modules beside a ``prefix.py`` again.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parents[1]
# The bot's distribution, its benchmarks, and the second distribution (harness/).
PRODUCT = ("vcpbot", "cogs", "benchmarks", "harness/discord_emulator", "harness/vcpbot_harness")
FIRST_PARTY = {"vcpbot", "cogs", "discord_emulator", "vcpbot_harness"}


def _modules() -> list[Path]:
    return sorted(p for top in PRODUCT for p in (ROOT / top).rglob("*.py"))


def _dotted(path: Path) -> str:
    base = ROOT / "harness" if path.is_relative_to(ROOT / "harness") else ROOT
    parts = path.relative_to(base).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    dotted = _dotted(path)
    return dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]


def private_imports(path: Path) -> list[str]:
    """Imports in ``path`` of a private module (``pkg._x``) of a package it is not inside."""
    return reaches_inside(path.read_text("utf-8"), _dotted(path), _package_of(path))


def reaches_inside(source: str, module: str, here: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            owner, _, last = name.rpartition(".")
            if last.startswith("_") and not last.startswith("__") and owner:
                inside = here == owner or here.startswith(owner + ".")
                if not inside and owner.split(".")[0] in FIRST_PARTY:
                    found.append(f"{module}:{node.lineno} imports {name}")
    return found


def test_product_code_reaches_a_capability_through_its_package_only() -> None:
    found = [line for path in _modules() for line in private_imports(path)]
    assert not found, "import from the package instead:\n" + "\n".join(found)


def test_the_check_sees_a_cog_reach_into_a_service_and_lets_a_package_use_its_own() -> None:
    source = "from vcpbot.services.kmtm._report import Report\n"
    assert reaches_inside(source, "cogs.kmtm._render", "cogs.kmtm") == [
        "cogs.kmtm._render:1 imports vcpbot.services.kmtm._report"
    ]
    assert reaches_inside(source, "vcpbot.services.kmtm._chart", "vcpbot.services.kmtm") == []
    assert reaches_inside("from cogs.kmtm import _cog\n", "cogs.help", "cogs.help") == [
        "cogs.help:1 imports cogs.kmtm._cog"
    ]


def test_no_folder_keeps_a_family_of_prefixed_modules() -> None:
    """``escalation_cases.py`` beside ``escalation_core.py`` is a package waiting to happen."""
    found = []
    for folder in {p.parent for p in _modules()}:
        stems = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
        prefixes = Counter(s.split("_")[0] for s in stems if "_" in s)
        found += [
            f"{folder.relative_to(ROOT)}/{prefix}_*.py"
            for prefix, count in prefixes.items()
            if count >= 2
        ]
    assert not found, "make each a package:\n" + "\n".join(sorted(found))


def test_every_service_package_says_what_it_offers() -> None:
    services = ROOT / "vcpbot" / "services"
    for package in (p for p in services.iterdir() if (p / "__init__.py").exists()):
        tree = ast.parse((package / "__init__.py").read_text("utf-8"))
        assert ast.get_docstring(tree), f"{package.name}: the package docstring says what it offers"
        exported = {
            elt.value
            for node in tree.body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
            for elt in node.value.elts  # type: ignore[attr-defined]
        }
        assert exported, f"{package.name}: __all__ lists the public names"
        privates = [p.name for p in package.glob("*.py") if p.name != "__init__.py"]
        public = [n for n in privates if not re.match(r"_", n)]
        assert not public, f"{package.name}: modules other than __init__ are private: {public}"


def test_every_product_module_imports() -> None:
    """A name a package promises in ``__all__`` exists, and every module loads on its own."""
    for path in _modules():
        if path.is_relative_to(ROOT / "benchmarks"):
            continue
        module = importlib.import_module(_dotted(path))
        missing = [n for n in getattr(module, "__all__", ()) if not hasattr(module, n)]
        assert not missing, f"{module.__name__}.__all__ names what it lacks: {missing}"


# A function longer than this is read in parts anyway; give the parts names. The bound
# sits above today's longest product function, so it stops growth without a rewrite.
LONGEST_FUNCTION = 80


def long_functions(source: str, module: str, bound: int = LONGEST_FUNCTION) -> list[str]:
    """Functions (methods and nested ones too) in ``source`` of more than ``bound`` lines."""
    return [
        f"{module}:{node.lineno} {node.name} has {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > bound
    ]


def test_the_length_check_finds_a_function_that_grew_too_long() -> None:
    body = "".join(f"    step_{n} = {n}\n" for n in range(LONGEST_FUNCTION))
    source = f"def tour() -> None:\n{body}\n\ndef short() -> None:\n    pass\n"
    assert long_functions(source, "demo") == [f"demo:1 tour has {LONGEST_FUNCTION + 1} lines"]
    assert long_functions(source.replace("    step_0 = 0\n", ""), "demo") == []


def test_no_product_function_is_longer_than_the_bound() -> None:
    found = [
        problem
        for path in _modules()
        for problem in long_functions(path.read_text("utf-8"), _dotted(path))
    ]
    assert not found, "split into named parts:\n" + "\n".join(found)


_RESULT_BASES = {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag", "NamedTuple"}


def result_types_outside(source: str, module: str) -> list[str]:
    """Public dataclasses, enums and NamedTuples that ``module`` defines at its top level."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
            continue
        decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        is_dataclass = any(
            getattr(d, "id", getattr(d, "attr", "")) == "dataclass" for d in decorators
        )
        bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
        if is_dataclass or bases & _RESULT_BASES:
            found.append(f"{module}:{node.lineno} {node.name}")
    return found


def test_every_service_package_keeps_its_result_types_in_types() -> None:
    """What a capability hands back (views, results, cards) is read in one named place."""
    services = ROOT / "vcpbot" / "services"
    found = [
        line
        for package in services.iterdir()
        if (package / "__init__.py").exists()
        for path in sorted(package.glob("*.py"))
        if path.name != "_types.py"
        for line in result_types_outside(path.read_text("utf-8"), _dotted(path))
    ]
    assert not found, "move to the package's _types.py:\n" + "\n".join(found)


def test_the_check_sees_a_result_type_outside_types_and_leaves_private_helpers_alone() -> None:
    source = (
        "@dataclass(frozen=True)\nclass Report:\n    x: int\n\n"
        "class Answer(StrEnum):\n    YES = 'yes'\n\n"
        "@dataclasses.dataclass\nclass _Entry:\n    y: int\n\n"
        "class PreviewBook:\n    pass\n"
    )
    assert result_types_outside(source, "vcpbot.services.kmtm._report") == [
        "vcpbot.services.kmtm._report:2 Report",
        "vcpbot.services.kmtm._report:5 Answer",
    ]


def undocumented_exports(package: str) -> list[str]:
    """Functions ``package`` exports in ``__all__`` that have no docstring of their own."""
    module = importlib.import_module(package)
    return [
        f"{package}.{name}"
        for name in module.__all__
        if inspect.isfunction(getattr(module, name)) and not getattr(module, name).__doc__
    ]


def test_every_function_a_service_package_offers_says_what_it_does() -> None:
    """Cogs call these: what it does and what it raises, read where the API is.

    ruff's D103 (pyproject.toml) holds the single-module services; it counts a function
    in a private module (``_cases.py``) as private, so the packages' exports are held here.
    """
    services = ROOT / "vcpbot" / "services"
    found = [
        line
        for package in sorted(services.iterdir())
        if (package / "__init__.py").exists()
        for line in undocumented_exports(f"vcpbot.services.{package.name}")
    ]
    assert not found, "give each a docstring:\n" + "\n".join(found)


# Discord's limits, as numbers a cog might restate (vcpbot/limits.py names them).
_DISCORD_NUMBERS = {5, 10, 25, 45, 80, 100, 150, 256, 1000, 1024, 2000, 2048, 4000, 4096, 6000}
_LIMIT_NAME = re.compile(r"(^|_)(MAX|LIMIT|PER)(_|$)")


def restated_limits(source: str, module: str) -> list[str]:
    """Discord's limits written out again: a ``*_MAX``/``PER_*`` constant equal to one, a
    ``[:100]``, a literal limit handed to ``clip``, or a ``clip`` of one's own."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            value = node.value
            if (
                isinstance(value, ast.Constant)
                and value.value in _DISCORD_NUMBERS
                and any(n.isupper() and _LIMIT_NAME.search(n) for n in names)
            ):
                found.append(f"{module}:{node.lineno} {names[0]} = {value.value}")
        elif isinstance(node, ast.Slice) and isinstance(node.upper, ast.Constant):
            if _is_limit(node.upper):
                found.append(f"{module}:{node.lineno} [:{node.upper.value}]")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "clip":
            literals = [a for a in node.args if isinstance(a, ast.Constant) and _is_limit(a)]
            found += [f"{module}:{node.lineno} clip(…, {a.value})" for a in literals]
        elif isinstance(node, ast.FunctionDef) and node.name.strip("_") == "clip":
            found.append(f"{module}:{node.lineno} def {node.name}")
    return sorted(found, key=lambda line: int(line.split(":")[1].split()[0]))


def _is_limit(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in _DISCORD_NUMBERS


def test_cogs_name_discords_limits_from_one_module() -> None:
    """``vcpbot.limits`` names each limit once, and holds the one ``clip``."""
    found = [
        line
        for path in sorted((ROOT / "cogs").rglob("*.py"))
        for line in restated_limits(path.read_text("utf-8"), _dotted(path))
    ]
    assert not found, "use vcpbot.limits:\n" + "\n".join(found)


def test_the_limit_check_sees_a_restated_limit_and_lets_a_product_choice_be() -> None:
    source = (
        "MODAL_TITLE_MAX = 45\nPER_SELECT = 25\nBATCH = 10\nREASON_MAX = 500\n"
        "a = b[:100]\nc = clip(d, 256)\ne = clip(f, limits.FIELD_VALUE_MAX)\n"
        "def _clip(text, limit): ...\n"
    )
    assert restated_limits(source, "cogs.x") == [
        "cogs.x:1 MODAL_TITLE_MAX = 45",
        "cogs.x:2 PER_SELECT = 25",
        "cogs.x:5 [:100]",
        "cogs.x:6 clip(…, 256)",
        "cogs.x:8 def _clip",
    ]


def test_cog_parts_are_named_for_what_they_hold() -> None:
    """A ``_common.py`` grows into everything every part needs, and the parts into one knot
    around it: a cog package names its shared modules by concern (``_ids``, ``_host``…)."""
    found = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "cogs").rglob("_common.py"))
    assert not found, "split by concern:\n" + "\n".join(found)
