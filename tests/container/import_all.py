"""Import every production module, and every module they import lazily, where it is run.

Run inside the image (sent on standard input: the image has no tests/), whose virtualenv
holds the lock without the dev extra:

    python - PACKAGE ... [--optional MODULE ...] < tests/container/import_all.py

Importing the packages is not enough: heavy libraries are imported inside functions
(trafilatura only when a second opinion is asked), so each module's source is read and
every absolute import in it, at any depth, is imported too; those under
`if TYPE_CHECKING:` are for the type checker only. A module of an optional extra
(`--optional pyarrow`) may be missing. Prints one line per failure and exits 1 if any.
Standard library only: it runs with the image's interpreter alone.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import sys

# Run by Alembic, inside its migration context: not importable on its own.
NOT_IMPORTABLE = {"core.migrations.env"}


def modules(packages: list[str]) -> list[str]:
    names = []
    for name in packages:
        package = importlib.import_module(name)
        names.append(name)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{name}.")]
    return [n for n in names if n not in NOT_IMPORTABLE]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported_by(module: str) -> set[str]:
    """Absolute module names that `module`'s source imports, anywhere in it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return set()
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read(), spec.origin)
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack += node.orelse
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        stack += ast.iter_child_nodes(node)
    return found


def main(argv: list[str]) -> int:
    split = argv.index("--optional") if "--optional" in argv else len(argv)
    packages, optional = argv[:split], set(argv[split + 1:])
    failures = []
    wanted = modules(packages)
    lazy = sorted({m for name in wanted for m in imported_by(name)} - set(wanted))
    for name in wanted + lazy:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            if name.split(".")[0] in optional and exc.name and exc.name.split(".")[0] in optional:
                continue
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
        except Exception as exc:  # any error at import time is a broken module
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    print(f"imported {len(wanted)} modules of {', '.join(packages)} and "
          f"{len(lazy)} modules they import")
    for line in failures:
        print(f"FAILED {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
