"""The package's layers import only downward: a module may import its own layer
and those below it, never one above (README, "Layout"). Imports inside
functions count too; ``if TYPE_CHECKING:`` imports (names for annotations) do not."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "opsgen"

# Bottom first. A module belongs to the first entry its dotted name starts with.
LAYERS = (
    (
        "opsgen.errors",
        "opsgen.durations",
        "opsgen.held",
        "opsgen.conventions",
        "opsgen.report",
        "opsgen.terminal",
        "opsgen.__init__",
    ),
    ("opsgen.catalogue",),
    ("opsgen.synth",),
    ("opsgen.generate",),
    ("opsgen.output",),
    ("opsgen.stack",),
    ("opsgen.pipeline",),
    ("opsgen.cli", "opsgen.results", "opsgen.usage", "opsgen.scaffold", "opsgen.cdk8s_app", "opsgen.__main__"),
)


def layer(module: str) -> int:
    for index, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    if module == "opsgen":
        return 0
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every opsgen import of ``path`` outside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    out = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("opsgen")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("opsgen") and node.level == 0:
            for alias in node.names:  # `from opsgen.synth import kernel` imports opsgen.synth.kernel
                full = f"{node.module}.{alias.name}"
                out.append(
                    (
                        node.lineno,
                        full
                        if (PACKAGE.parent / (full.replace(".", "/") + ".py")).exists()
                        or (PACKAGE.parent / full.replace(".", "/")).is_dir()
                        else node.module,
                    )
                )
    return out


def test_every_import_goes_downward() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for line, imported in imports(path):
            if layer(imported) > layer(importer):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {importer} imports {imported}")
    assert not upward, "\n".join(upward)


def test_no_package_folder_is_one_that_tools_skip() -> None:
    """pytest, black and GitHub's Python .gitignore skip build/, lib/ and dist/."""
    skipped = {"build", "lib", "dist"}
    folders = [p for p in PACKAGE.rglob("*") if p.is_dir() and p.name in skipped]
    tests = [p for p in (PACKAGE.parent / "tests").rglob("*") if p.is_dir() and p.name in skipped]
    assert not folders + tests


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40


def test_modules_and_functions_stay_small() -> None:
    """Small modules and functions (docs: "Style"): a longer one is split, not grown."""
    large = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            large.append(f"{path.relative_to(PACKAGE.parent)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    large.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.name} has {length} lines")
    assert not large, "\n".join(large)
