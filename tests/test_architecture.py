"""The architecture's own rules that neither import-linter nor mypy can state (issue 15): modules
small enough to hold one job, the environment read in one place, bundled files found in one
place, colours named in one place, no coded type ignore outside the Office writers
(python-docx and python-pptx lack type information there), every package folder installed,
no import cycle and every module in a layer.

Each rule reads the package's source; each also proves on a planted bad module that it can fail.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import tomllib
from pathlib import Path
from typing import Any

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


def _os_names(tree: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """What `source` calls the os module, os.environ (or os.environb) and os.getenv, through
    `import os`, `import os as o`, `from os import environ, getenv as g`."""
    modules, environs, getenvs = {"os"}, set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in ("environ", "environb"):
                    environs.add(alias.asname or alias.name)
                elif alias.name == "getenv":
                    getenvs.add(alias.asname or alias.name)
    return modules, environs, getenvs


def environment_reads(source: str) -> list[int]:
    """Lines of `source` that read a single environment variable: os.environ.get(...),
    os.environ[...], os.environ.pop(...), os.environ.copy()[...], os.getenv(...),
    `... in os.environ`, under any name the os module or these are imported as. Handing the
    whole environment on (to a child process, to a worker) is not a read of a variable."""
    tree = ast.parse(source)
    modules, environs, getenvs = _os_names(tree)

    def is_environ(node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in environs
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb"):
            return isinstance(node.value, ast.Name) and node.value.id in modules
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):  # os.environ.copy()
            return node.func.attr == "copy" and is_environ(node.func.value)
        return False

    def is_getenv(func: ast.AST) -> bool:
        if isinstance(func, ast.Name):
            return func.id in getenvs
        return (
            isinstance(func, ast.Attribute)
            and func.attr in ("getenv", "getenvb")
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        )

    def reads(node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            func = node.func
            if is_getenv(func):
                return True
            return (
                isinstance(func, ast.Attribute)
                and func.attr in ("get", "setdefault", "pop")
                and is_environ(func.value)
            )
        if isinstance(node, ast.Subscript):
            return is_environ(node.value) and isinstance(node.ctx, ast.Load)
        if isinstance(node, ast.Compare):
            return any(is_environ(c) for c in node.comparators) and any(
                isinstance(op, (ast.In, ast.NotIn)) for op in node.ops
            )
        return False

    return sorted(getattr(node, "lineno", 0) for node in ast.walk(tree) if reads(node))


_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?")


def coded_ignores(source: str) -> list[int]:
    """Lines with a `type: ignore` comment, coded or not."""
    return [n for n, line in enumerate(source.splitlines(), start=1) if _IGNORE.search(line)]


def bare_ignores(source: str) -> list[int]:
    """Lines whose `type: ignore` names no error code. mypy reads the codes only when the
    bracket follows at once: `# type: ignore [attr]` ignores every error on its line."""
    return [
        n
        for n, line in enumerate(source.splitlines(), start=1)
        if (m := _IGNORE.search(line)) and not m.group("codes")
    ]


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
        ("from os import environ\nx = environ.get('A')\n", [2]),
        ("from os import getenv as g\nx = g('A')\n", [2]),
        ("import os as o\nx = o.environ['A']\n", [2]),
        ("import os\nx = os.environ.copy()['A']\n", [2]),
        ("import os\nx = os.environ.pop('A', None)\n", [2]),
        ("import os\nx = os.environb[b'A']\n", [2]),
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
        name: lines
        for path in _modules()
        if OFFICE_WRITERS.match(name := _name(path))
        and (lines := bare_ignores(path.read_text(encoding="utf-8")))
    }
    assert bare == {}


def test_architecture_ignores_are_told_coded_from_bare() -> None:
    source = (
        "a = f()  # type: ignore[attr-defined]\n"
        "b = f()  # type: ignore\n"
        "c = f()  # type: ignore [misc]\n"
    )
    assert coded_ignores(source) == [1, 2, 3]
    assert bare_ignores(source) == [2, 3]


def resource_lookups(source: str) -> list[int]:
    """Lines that work out where a file of the package lives: this module's own `__file__`, or
    `importlib.resources.files(...)` under any import spelling. (Another library's
    `module.__file__` is that library's business.)"""
    tree = ast.parse(source)
    files_names = {"files"} & {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "importlib.resources"
        for alias in node.names
        if alias.name == "files"
    }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "__file__":
            lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            dotted = ast.unparse(func)
            if dotted.endswith("resources.files") or (isinstance(func, ast.Name) and func.id in files_names):
                lines.append(node.lineno)
    return sorted(lines)


# Six hex digits with a digit, a "#" or in capitals: "1F3864", "#c00000", "FFFFFF" (not "decade").
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}|(?=[^0-9]*[0-9])[0-9A-Fa-f]{6}|[0-9A-F]{6}")


def colour_literals(source: str) -> list[int]:
    """Lines naming a colour: a string that is a colour in hex ("1F3864", "#C00000") or an
    RGBColor(...) / RGBColor.from_string(...) built from literals."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _HEX_COLOUR.fullmatch(node.value):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and "RGBColor" in ast.unparse(node.func)
            and node.args
            and all(isinstance(arg, ast.Constant) for arg in node.args)
        ):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_architecture_bundled_resources_are_found_only_by_briefgen_resources() -> None:
    found = {
        name: lines
        for path in _modules()
        if (name := _name(path)) != "resources.py"
        and (lines := resource_lookups(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("from pathlib import Path\nroot = Path(__file__).parent\n", [2]),
        ("import os\nroot = os.path.dirname(__file__)\n", [2]),
        ("import importlib.resources\nx = importlib.resources.files('briefgen')\n", [2]),
        ("from importlib.resources import files\nx = files('briefgen')\n", [2]),
        ("import citeproc\nx = citeproc.__file__\n", []),
    ],
)
def test_architecture_resource_lookups_are_recognised(source: str, lines: list[int]) -> None:
    assert resource_lookups(source) == lines


def test_architecture_colours_are_named_only_in_briefgen_styles() -> None:
    found = {
        name: lines
        for path in _modules()
        if (name := _name(path)) != "styles.py"
        and (lines := colour_literals(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ('RED = "C00000"\n', [1]),
        ('RED = "#c00000"\n', [1]),
        ("x = RGBColor(0xC0, 0x00, 0x00)\n", [1]),
        ('x = RGBColor.from_string("C00000")\n', [1]),
        ('digest = "a3f9c2e1b7d4"\n', []),  # longer than a colour
        ('word = "decade"\n', []),  # hex letters, but a word
        ("x = RGBColor(*styles.RED)\n", []),
    ],
)
def test_architecture_colour_literals_are_recognised(source: str, lines: list[int]) -> None:
    assert colour_literals(source) == lines


def packaging_problems(package: Path, setuptools: dict[str, Any]) -> list[str]:
    """What `setuptools` (pyproject's [tool.setuptools]) leaves out of the package folder
    `package`: folders not listed as packages (setuptools warns on every install and a wheel may
    drop them), listed packages with no folder, data files no package-data pattern names."""
    root = package.name
    listed = set(setuptools["packages"]) - {f"{root}.templates"}  # installed from templates/

    def dotted(folder: Path) -> str:
        return ".".join((root, *folder.relative_to(package).parts))

    folders = {
        dotted(path)
        for path in [package, *package.rglob("*")]
        if path.is_dir() and "__pycache__" not in path.parts
    }
    problems = [f"not a listed package: {name}" for name in sorted(folders - listed)]
    problems += [f"listed but no folder: {name}" for name in sorted(listed - folders)]
    patterns = setuptools.get("package-data", {})
    for path in sorted(package.rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        wanted = [*patterns.get(dotted(path.parent), ()), *patterns.get("*", ())]
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in wanted):
            problems.append(f"not installed: {path.relative_to(package).as_posix()}")
    return problems


def test_architecture_every_package_folder_and_data_file_is_installed() -> None:
    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert packaging_problems(PACKAGE, pyproject["tool"]["setuptools"]) == []


def test_architecture_packaging_problems_are_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "locale" / "xx").mkdir(parents=True)
    (package / "fonts").mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "locale" / "xx" / "pkg.mo").write_bytes(b"")
    (package / "fonts" / "a.ttf").write_bytes(b"")
    (package / "fonts" / "a.otf").write_bytes(b"")
    setuptools = {
        "packages": ["pkg", "pkg.fonts", "pkg.locale", "pkg.gone"],
        "package-data": {"pkg.fonts": ["*.ttf"], "*": ["*.po"]},
    }
    assert packaging_problems(package, setuptools) == [
        "not a listed package: pkg.locale.xx",
        "listed but no folder: pkg.gone",
        "not installed: fonts/a.otf",
        "not installed: locale/xx/pkg.mo",
    ]


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
