"""The architecture's own rules that neither import-linter nor mypy can state (issue 15): modules
small enough to hold one job, the environment read in one place, and no coded type ignore
outside the Office writers (python-docx and python-pptx ship without type information).

Each rule reads the package's source; each also proves on a planted bad module that it can fail.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "briefgen"
MAX_LINES = 600  # "no file in briefgen/ above about 600 lines" (issue 15)

# The only module that reads environment variables: config.read_environment (and the CLI's
# presentation settings it hands to the CLI) reads each once, checks it and passes it on.
ENVIRONMENT_READERS = {"config.py"}

# Where python-docx / python-pptx lack types, a narrow ignore (with its error code) is allowed.
OFFICE_WRITERS = re.compile(r"^writers/(docx|pptx)[a-z_]*\.py$")


def _modules() -> list[Path]:
    found = sorted(PACKAGE.rglob("*.py"))
    assert len(found) > 40, "the package's modules were not found"
    return found


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def long_modules(paths: list[Path]) -> list[str]:
    """`name: N lines` for each module over MAX_LINES."""
    out = []
    for path in paths:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            out.append(f"{path.name}: {lines} lines")
    return out


def environment_reads(source: str) -> list[int]:
    """Lines of `source` that read a single environment variable: os.environ.get(...),
    os.environ[...], os.getenv(...), `... in os.environ`. Handing the whole environment on (to a
    child process, to a worker) is not a read of a variable."""

    def is_environ(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )

    def is_getenv(func: ast.Attribute) -> bool:
        return func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os"

    def reads(node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            return (func.attr in ("get", "setdefault") and is_environ(func.value)) or is_getenv(func)
        if isinstance(node, ast.Subscript):
            return is_environ(node.value) and isinstance(node.ctx, ast.Load)
        if isinstance(node, ast.Compare):
            return any(is_environ(c) for c in node.comparators) and any(
                isinstance(op, (ast.In, ast.NotIn)) for op in node.ops
            )
        return False

    lines = [getattr(node, "lineno", 0) for node in ast.walk(ast.parse(source)) if reads(node)]
    return sorted(lines)


def coded_ignores(source: str) -> list[int]:
    """Lines with a `type: ignore` comment."""
    pattern = re.compile(r"#\s*type:\s*ignore")
    return [n for n, line in enumerate(source.splitlines(), start=1) if pattern.search(line)]


def test_architecture_modules_stay_under_about_600_lines() -> None:
    assert long_modules(_modules()) == []


def test_architecture_line_limit_finds_a_long_module(tmp_path: Path) -> None:
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    short = tmp_path / "short.py"
    short.write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert long_modules([long, short]) == [f"long.py: {MAX_LINES + 1} lines"]


def test_architecture_environment_is_read_only_in_config() -> None:
    readers = {
        _name(path): found
        for path in _modules()
        if _name(path) not in ENVIRONMENT_READERS
        and (found := environment_reads(path.read_text(encoding="utf-8")))
    }
    assert readers == {}, "read environment variables in briefgen/config.py and pass them down"


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import os\nx = os.environ.get('A')\n", [2]),
        ("import os\nx = os.environ['A']\n", [2]),
        ("import os\nx = os.getenv('A', '')\n", [2]),
        ("import os\nif 'A' in os.environ:\n    pass\n", [2]),
        ("import os\nenv = dict(os.environ, HOME='/tmp')\n", []),  # handed on whole
        ("import os\nos.environ.update({'A': '1'})\n", []),
        ("import os\ndel os.environ['A']\n", []),
    ],
)
def test_architecture_environment_reads_are_recognised(source: str, lines: list[int]) -> None:
    assert environment_reads(source) == lines


def test_architecture_type_ignores_only_in_office_writers() -> None:
    found = {
        name: lines
        for path in _modules()
        if not OFFICE_WRITERS.match(name := _name(path))
        and (lines := coded_ignores(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_architecture_office_writer_ignores_name_their_error_code() -> None:
    bare = {
        _name(path): [
            n
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if re.search(r"#\s*type:\s*ignore(?!\[)", line)
        ]
        for path in _modules()
        if OFFICE_WRITERS.match(_name(path))
    }
    assert {name: lines for name, lines in bare.items() if lines} == {}
    assert coded_ignores("x = f()  # type: ignore[attr-defined]\ny = 2\n") == [1]


RESOURCE_LOOKUP = re.compile(r"importlib\.resources\.files\(|Path\(__file__\)")
# A colour as six hex digits in a string ("1F3864", "#C00000"); fixtures and hashes are longer.
COLOUR = re.compile(r"""["']#?[0-9A-Fa-f]{6}["']""")


def lines_matching(pattern: re.Pattern[str], source: str) -> list[int]:
    return [n for n, line in enumerate(source.splitlines(), start=1) if pattern.search(line)]


def test_architecture_bundled_resources_are_found_only_by_briefgen_resources() -> None:
    found = {
        name: lines
        for path in _modules()
        if (name := _name(path)) != "resources.py"
        and (lines := lines_matching(RESOURCE_LOOKUP, path.read_text(encoding="utf-8")))
    }
    assert found == {}
    assert lines_matching(RESOURCE_LOOKUP, "root = Path(__file__).parent\n") == [1]


def test_architecture_colours_are_named_only_in_briefgen_styles() -> None:
    found = {
        name: lines
        for path in _modules()
        if (name := _name(path)) != "styles.py"
        and (lines := lines_matching(COLOUR, path.read_text(encoding="utf-8")))
    }
    assert found == {}
    assert lines_matching(COLOUR, 'RED = "C00000"\n') == [1]


def test_architecture_every_package_folder_and_data_file_is_installed() -> None:
    """A folder of briefgen/ that pyproject.toml does not list as a package makes setuptools warn
    on every install and may be left out of a wheel; a data file no package-data pattern names
    is left out (a new language's catalog, a new font)."""
    import fnmatch
    import tomllib

    setuptools = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    listed = set(setuptools["packages"]) - {"briefgen.templates"}  # installed from templates/
    folders = {
        ".".join(("briefgen", *path.relative_to(PACKAGE).parts)).rstrip(".")
        for path in [PACKAGE, *PACKAGE.rglob("*")]
        if path.is_dir() and "__pycache__" not in path.parts
    }
    assert folders == listed
    patterns = setuptools["package-data"]
    missing = []
    for path in PACKAGE.rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc"):
            continue
        package = ".".join(("briefgen", *path.parent.relative_to(PACKAGE).parts)).rstrip(".")
        wanted = [*patterns.get(package, ()), *patterns.get("*", ())]
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in wanted):
            missing.append(_name(path))
    assert missing == []
# ---------------------------------------------------------------------------------------------
# Import cycles and the layers contract. import-linter's layers contract checks only the modules
# it names, and no contract of the import-linter versions we accept finds a cycle; grimp (which
# import-linter builds its graph with) sees every import, in functions and under TYPE_CHECKING
# too: a cycle hidden in a function or in an annotation is a cycle of meaning all the same.


def import_cycles(package: str) -> list[list[str]]:
    """Every import cycle among the modules of `package`, each as its modules sorted (the
    strongly connected components of more than one module, or a module importing itself)."""
    import grimp

    graph = grimp.build_graph(package, cache_dir=None)
    modules = sorted(graph.modules)
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    # Tarjan's algorithm, iteratively (a deep package must not hit the recursion limit).
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            module, k = work.pop()
            if k == 0:
                index[module] = low[module] = len(index)
                stack.append(module)
                on_stack.add(module)
            if k < len(imports[module]):
                work.append((module, k + 1))
                nxt = imports[module][k]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[module] = min(low[module], index[nxt])
                continue
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1 or module in imports[module]:
                    cycles.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
    return cycles


def _layered(pyproject: Path, contract: str) -> list[str]:
    """The modules the layers contract `contract` names, as dotted names from the root."""
    import tomllib

    contracts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    found = next(c for c in contracts if c["id"] == contract)
    prefix = "".join(f"{c}." for c in found.get("containers", []))
    return [prefix + name.strip() for layer in found["layers"] for name in re.split(r"[|:]", layer)]


def unlayered(modules: list[str], layered: list[str]) -> list[str]:
    """The modules (dotted names) that no layer names, itself or through a package above it."""
    return [m for m in modules if not any(m == name or m.startswith(name + ".") for name in layered)]


def _plant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> str:
    for name, source in files.items():
        path = tmp_path / "planted" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "planted"


def test_architecture_has_no_import_cycle() -> None:
    assert import_cycles("briefgen") == []


def test_architecture_import_cycles_are_found_in_functions_and_annotations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _plant(tmp_path, monkeypatch, {
        "__init__.py": "",
        "low.py": "def f():\n    from planted import high\n    return high\n",
        "high.py": "from planted import low\n",
        "typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from planted import user\n",
        "user.py": "from planted import typed\n",
        "alone.py": "from planted import low\n",
    })
    assert import_cycles(package) == [["planted.high", "planted.low"], ["planted.typed", "planted.user"]]


def test_architecture_every_module_is_in_a_layer() -> None:
    """Every module of briefgen/ in the layers contract (a package's modules through it), and
    every module of briefgen/writers/ in the writers' own layers too."""
    import grimp

    modules = grimp.build_graph("briefgen", cache_dir=None).modules
    pyproject = PACKAGE.parent / "pyproject.toml"
    top = sorted(m for m in modules if m.count(".") == 1)
    assert len(top) > 40
    assert unlayered(top, _layered(pyproject, "layers")) == []
    writers = sorted(m for m in modules if m.startswith("briefgen.writers."))
    assert len(writers) > 15
    assert unlayered(writers, _layered(pyproject, "writers")) == []
    assert unlayered(["briefgen.facts.loader", "briefgen.new"], ["briefgen.facts"]) == ["briefgen.new"]
