"""The layers' import rules, checked on the source text (``ast``, nothing imported, well under a second).

Every import counts: module-level, inside a function, under ``if TYPE_CHECKING:``; relative imports are
resolved. An import names the most specific module of the tree it reaches: ``from app.models import
Applicant`` (a name the package's ``__init__`` re-exports) imports the package ``app.models``, ``from
app.models import db`` imports ``app.models.db``. The rules:

(a) no import cycle among the modules of app/ and server/;
(b) the faces (app/ui, app/cli) never import ``sqlalchemy`` nor ``app.models``: they hold the opaque
    ``Store`` of ``app.services.store`` and call services;
(c) server/ imports of ``app`` only ``app.domain`` and ``app.contract`` (the wire format), and one printed
    form, ``app.print.report06a`` (Biểu II.06a as XLSX/PDF, so the province's export is the desk's code),
    whose own imports, transitively, stay within ``app.domain`` and ``app.print`` (ReportLab, openpyxl:
    no Qt, no database; checked by :func:`test_server_printed_form_stays_pure`);
(d) app/domain imports nothing of ``app`` outside itself, and ``app.contract`` imports none of
    app.models, app.services, app.sync, app.ui, app.cli.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "server")
# Generated, frozen Alembic scripts: they import only alembic and sqlalchemy.
SKIP_PARTS = frozenset({"versions", "__pycache__"})


@dataclass(frozen=True)
class Import:
    target: str  # the module imported (of the tree when it is one, else as written: "sqlalchemy.orm")
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Module name -> file, for every .py file of ``packages`` under ``root``."""
    files: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if SKIP_PARTS.isdisjoint(path.relative_to(root).parts):
                files[module_name(root, path)] = path
    return files


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _most_specific(name: str, known: Mapping[str, Path]) -> str:
    """The longest prefix of ``name`` that is a module of the tree (``name`` itself when none is)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return name


def imports_of(module: str, path: Path, known: Mapping[str, Path]) -> Iterator[Import]:
    """Every import of one file, wherever it stands in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(_most_specific(alias.name, known), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = (
                _resolve_relative(module, is_package, node.level, node.module)
                if node.level
                else node.module or ""
            )
            for alias in node.names:
                # `from pkg import sub` imports the module pkg.sub; `from pkg import name` the package.
                sub = f"{base}.{alias.name}"
                yield Import(sub if sub in known else _most_specific(base, known), node.lineno)


def import_graph(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, list[Import]]:
    """Module -> its imports (in and outside the tree), for the modules of ``packages``."""
    known = source_files(root, packages)
    # One entry per imported module and line (``from x import a, b`` names x once).
    return {module: list(dict.fromkeys(imports_of(module, path, known))) for module, path in known.items()}


def find_cycles(graph: Mapping[str, Iterable[Import]]) -> list[list[str]]:
    """One cycle path (first module repeated at the end) per strongly connected component of the graph
    restricted to its own modules (Tarjan's algorithm, iterative)."""
    edges = {
        m: sorted({i.target for i in imps if i.target in graph and i.target != m})
        for m, imps in graph.items()
    }
    selfloops = [[m, m] for m, imps in graph.items() if any(i.target == m for i in imps)]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return selfloops + [_cycle_in(component, edges) for component in sorted(components)]


def _cycle_in(component: list[str], edges: Mapping[str, list[str]]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first inside the component)."""
    members = set(component)
    start = component[0]
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in edges[node]:
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return [*reversed(path), start]
                if child not in parent:
                    parent[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle in the component {component}")  # pragma: no cover


def _within(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


FACES = ("app.ui", "app.cli")
#: The printed forms the server may import besides app.domain and app.contract (rule (c)).
SERVER_PRINTED_FORMS = frozenset({"app.print.report06a"})


def is_face(module: str) -> bool:
    # app/cli_dossiers.py and app/cli_sync.py are the command line's modules until it is a package.
    return _within(module, FACES) or module.startswith("app.cli_")


def layer_violations(graph: Mapping[str, Iterable[Import]]) -> dict[str, list[str]]:
    """Rules (b), (c), (d): each broken rule -> its "module:line imports target" lines."""
    found: dict[str, list[str]] = {"faces": [], "server": [], "domain": [], "contract": []}
    for module, imps in sorted(graph.items()):
        for imp in imps:
            target, where = imp.target, f"{module}:{imp.line} imports {imp.target}"
            if is_face(module) and _within(target, ("sqlalchemy", "app.models")):
                found["faces"].append(where)
            if (
                _within(module, ("server",))
                and _within(target, ("app",))
                and not _within(target, ("app.domain", "app.contract"))
                and target not in SERVER_PRINTED_FORMS
            ):
                found["server"].append(where)
            if (
                _within(module, ("app.domain",))
                and _within(target, ("app",))
                and not _within(target, ("app.domain",))
            ):
                found["domain"].append(where)
            if _within(module, ("app.contract",)) and _within(
                target, ("app.models", "app.services", "app.sync", "app.ui", "app.cli")
            ):
                found["contract"].append(where)
    return found


# --- the real tree -------------------------------------------------------------------------------------


def _graph() -> dict[str, list[Import]]:
    return import_graph(ROOT)


def test_no_import_cycle() -> None:
    cycles = find_cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_faces_never_import_the_orm() -> None:
    bad = layer_violations(_graph())["faces"]
    assert not bad, "app/ui and app/cli import sqlalchemy or app.models:\n" + "\n".join(bad)


def test_server_imports_only_domain_and_contract_of_app() -> None:
    bad = layer_violations(_graph())["server"]
    assert not bad, "server/ imports app beyond app.domain and app.contract:\n" + "\n".join(bad)


def _closure(graph: Mapping[str, Iterable[Import]], start: str) -> set[str]:
    """``start`` and every module it imports, transitively, including the packages whose ``__init__``
    runs on the way (importing ``a.b.c`` runs ``a`` and ``a.b``)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            name = ".".join(parts[:end])
            if name not in seen:
                seen.add(name)
                if name in graph:
                    todo.extend(i.target for i in graph[name])
    return seen


def test_server_printed_form_stays_pure() -> None:
    graph = _graph()
    for form in sorted(SERVER_PRINTED_FORMS):
        assert form in graph
        reached = _closure(graph, form)
        bad = sorted(
            m
            for m in reached
            if (_within(m, ("app",)) and m != "app" and not _within(m, ("app.domain", "app.print")))
            or _within(m, ("PySide6", "shiboken6", "sqlalchemy", "server"))
        )
        assert not bad, f"{form}, which the server imports, reaches beyond app.domain and app.print: {bad}"


def test_domain_and_contract_stay_pure() -> None:
    found = layer_violations(_graph())
    bad = found["domain"] + found["contract"]
    assert not bad, "app/domain or app/contract import outer layers:\n" + "\n".join(bad)


def test_the_graph_sees_the_whole_tree() -> None:
    """A guard for the checker itself: it reads the real modules and their imports of every kind."""
    graph = _graph()
    assert "app.domain.errors" in graph and "server.app" in graph and "app.models" in graph
    assert not any(".versions." in m for m in graph)
    targets = {i.target for imps in graph.values() for i in imps}
    assert {"app.domain.errors", "sqlalchemy", "PySide6.QtWidgets"} <= targets


# --- the checker on synthetic trees -------------------------------------------------------------------


def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


CLEAN = {
    "app/__init__.py": "",
    "app/domain/__init__.py": "",
    "app/domain/errors.py": "",
    "app/domain/rules.py": "from .errors import Problem\nfrom app.domain import errors\n",
    "app/contract.py": "from app.domain.errors import Problem\nimport pydantic\n",
    "app/models/__init__.py": "from app.models.db import Store\n",
    "app/models/db.py": "import sqlalchemy\nfrom app.domain.errors import Problem\n",
    "app/services/__init__.py": "",
    "app/services/store.py": "from app.models.db import Store\n",
    "app/ui/__init__.py": "",
    "app/ui/screen.py": "from app.services.store import Store\nfrom ..domain import rules\nimport PySide6\n",
    "app/cli/__init__.py": "from app.services import store\n",
    "server/__init__.py": "",
    "server/api.py": (
        "from app.contract import Problem\nfrom app.domain.errors import Problem\nimport sqlalchemy\n"
    ),
}


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    graph = import_graph(_tree(tmp_path, CLEAN))
    assert find_cycles(graph) == []
    assert layer_violations(graph) == {"faces": [], "server": [], "domain": [], "contract": []}
    # Relative imports resolved; a name re-exported by a package's __init__ imports that package.
    assert {i.target for i in graph["app.domain.rules"]} == {"app.domain.errors"}
    assert {i.target for i in graph["app.ui.screen"]} == {"app.services.store", "app.domain.rules", "PySide6"}
    assert {i.target for i in graph["app.cli"]} == {"app.services.store"}


def test_every_kind_of_import_is_seen_and_cycles_reported(tmp_path: Path) -> None:
    files = dict(CLEAN)
    files["app/services/store.py"] = (
        "from __future__ import annotations\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from app.ui.screen import Screen\n"
    )
    files["app/ui/screen.py"] = "def later():\n    from app.services import store\n"
    files["server/a.py"] = "from . import b\n"
    files["server/b.py"] = "from server.c import x\n"
    files["server/c.py"] = "import server.a\n"
    files["app/domain/self.py"] = "from app.domain import self\n"
    cycles = find_cycles(import_graph(_tree(tmp_path, files)))
    assert cycles == [
        ["app.domain.self", "app.domain.self"],
        ["app.services.store", "app.ui.screen", "app.services.store"],
        ["server.a", "server.b", "server.c", "server.a"],
    ]


def test_each_layer_rule_catches_its_breach(tmp_path: Path) -> None:
    files = dict(CLEAN)
    files["app/ui/screen.py"] = (
        "def f():\n    from sqlalchemy.orm import Session\n    from app.models import Store\n"
    )
    files["app/cli/__init__.py"] = "from ..models import db\n"
    files["app/cli_sync.py"] = "import sqlalchemy\n"
    files["server/api.py"] = (
        "from app.services.store import Store\nfrom app.sync import protocol\nimport app\n"
        "from app.print import report06a\nfrom app.print import receipt\n"
    )
    files["app/print/__init__.py"] = ""
    files["app/print/report06a.py"] = ""
    files["app/print/receipt.py"] = ""
    files["app/sync/__init__.py"] = ""
    files["app/sync/protocol.py"] = ""
    files["app/domain/rules.py"] = "from app.services import store\n"
    files["app/contract.py"] = "from app.models.db import Store\nfrom app.domain import errors\n"
    found = layer_violations(import_graph(_tree(tmp_path, files)))
    assert found == {
        "faces": [
            "app.cli:1 imports app.models.db",
            "app.cli_sync:1 imports sqlalchemy",
            "app.ui.screen:2 imports sqlalchemy.orm",
            "app.ui.screen:3 imports app.models",
        ],
        "server": [
            "server.api:1 imports app.services.store",
            "server.api:2 imports app.sync.protocol",
            "server.api:3 imports app",
            "server.api:5 imports app.print.receipt",  # of app.print, only report06a is allowed
        ],
        "domain": ["app.domain.rules:1 imports app.services.store"],
        "contract": ["app.contract:1 imports app.models.db"],
    }
