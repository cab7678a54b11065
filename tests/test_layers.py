"""The layers of the code: imports point down (regions < census < reports), no module imports itself round a
ring, and an import inside a function says why it is there.

Read from the source with `ast`, so nothing is imported to check it. A failure names the file and line of
each offending import. What is known and not yet fixed is listed below by name; the lists only shrink: a
listed import that is gone fails the test too, so that its entry is taken out with the fix.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bottom to top. A module may import its own app and the apps below it.
APPS = ("regions", "census", "reports")
# The project's own wiring stands above every app: the package (it starts the Celery app), settings, the root
# URL map and the API's (routes of both census and reports), the Celery app, WSGI.
PROJECT_MODULES = frozenset({"census", "census.settings", "census.urls", "census.api.urls", "census.celery", "census.wsgi"})
# The one call up the layers: the write path (counts, a campaign's baselines, field staffing, self-service points) asks for a
# recompute after commit through reports/outbox.py (architecture.md).
SANCTIONED_UP = frozenset(
    {
        ("census.services", "reports.outbox"),
        ("census.units", "reports.outbox"),
        ("census.staffing", "reports.outbox"),
        ("census.service_points", "reports.outbox"),
    }
)

# Known and not yet fixed; each entry is taken out with its fix (the test fails while a listed one is gone).
KNOWN_UP: frozenset[tuple[str, str]] = frozenset()
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()
KNOWN_UNEXPLAINED: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    """One import statement's target inside the project, where it stands, and whether it is inside a function."""

    importer: str
    imported: str
    path: Path
    line: int
    in_function: bool
    explained: bool

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.importer} imports {self.imported}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _source_files(packages=APPS) -> list[Path]:
    files = []
    for package in packages:
        files += [p for p in sorted((ROOT / package).rglob("*.py")) if "migrations" not in p.parts]
    return files


def _modules() -> set[str]:
    return {_module_name(path) for path in _source_files()}


def _resolve(name: str, modules: set[str]) -> str | None:
    """The project module a dotted name refers to (a module, or the module that holds the name), else None."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _has_comment(lines: list[str], line: int) -> bool:
    """A comment on the import's own line, or just above it or above the block of imports it stands in."""
    if "#" in lines[line - 1]:
        return True
    above = line - 2
    while above >= 0 and lines[above].strip().startswith(("import ", "from ")):
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def _imports(packages=APPS) -> list[Import]:
    modules = _modules()
    found = []
    for path in _source_files(packages):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        importer = _module_name(path)
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        tree = ast.parse(source, filename=str(path))
        in_function = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                in_function.update(id(child) for child in ast.walk(node) if child is not node)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from a import b` names the module a.b when there is one, else a name inside a.
                names = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            nested = id(node) in in_function
            for name in names:
                target = _resolve(name, modules)
                if nested or (target and target != importer):
                    found.append(
                        Import(
                            importer=importer,
                            imported=target or name,
                            path=path,
                            line=node.lineno,
                            in_function=nested,
                            explained=_has_comment(lines, node.lineno),
                        )
                    )
    return found


def _rank(module: str) -> int:
    if module in PROJECT_MODULES:
        return len(APPS)
    return APPS.index(module.split(".")[0])


def _project(imports: list[Import]) -> list[Import]:
    modules = _modules()
    return [i for i in imports if i.imported in modules]


def _cycles(imports: list[Import]) -> list[frozenset[str]]:
    """Strongly connected groups of two or more modules (Tarjan), over every import, in functions too."""
    graph: dict[str, set[str]] = {}
    for i in _project(imports):
        graph.setdefault(i.importer, set()).add(i.imported)
        graph.setdefault(i.imported, set())
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _ratchet(found: dict, known: frozenset, what: str) -> None:
    new = {key: where for key, where in found.items() if key not in known}
    fixed = known - set(found)
    message = []
    if new:
        message.append(f"{what}:\n" + "\n".join(sorted(new.values())))
    if fixed:
        gone = sorted(sorted(key) if isinstance(key, frozenset) else key for key in fixed)
        message.append(f"listed as known but gone (take them out of the list): {gone}")
    assert not message, "\n\n".join(message)


def test_imports_point_down_the_layers():
    found = {}
    for i in _project(_imports()):
        if _rank(i.imported) > _rank(i.importer) and (i.importer, i.imported) not in SANCTIONED_UP:
            found.setdefault((i.importer, i.imported), i.where())
    _ratchet(found, KNOWN_UP, "imports against the layers (regions < census < reports)")


def test_no_module_imports_itself_round_a_ring():
    imports = _project(_imports())
    found = {}
    for group in _cycles(imports):
        lines = [i.where() for i in imports if i.importer in group and i.imported in group]
        found[group] = "ring of " + ", ".join(sorted(group)) + ":\n  " + "\n  ".join(sorted(lines))
    _ratchet(found, KNOWN_CYCLES, "cycles")


def test_an_import_inside_a_function_says_why():
    # The apps and the harness. bench/ and loadtest/ are command-line tools that choose their database and
    # settings before Django is imported, so their Django imports stand inside functions by design.
    found = {}
    for i in _imports(packages=(*APPS, "harness")):
        if i.in_function and not i.explained:
            found.setdefault((i.importer, i.imported), i.where())
    _ratchet(found, KNOWN_UNEXPLAINED, "imports inside functions without a comment saying why")
