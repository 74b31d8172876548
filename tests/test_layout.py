"""The layout issue #23 settled, kept: imports go one way (jaxtmm <- likelihoods <- fits <- jaxtmm_cli) with no
circle between files (deferred imports included), fits/ at most five import floors deep, at most four private names
imported across modules and none across packages, no function over 80 lines. Read from the source (ast), not run."""

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("jaxtmm", "likelihoods", "fits", "jaxtmm_cli")  # bottom to top


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _graph() -> tuple[dict, list, list]:
    """(module -> modules it imports, [(importer, 'module.name', whether it is a module)] of private names or names
    from private modules, [(length, function)])."""
    files = {_module(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph, private, long = {m: set() for m in files}, [], []
    for m, path in files.items():
        tree = ast.parse(path.read_text())
        base = m if path.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                long.append((node.end_lineno - node.lineno + 1, f"{m}.{node.name}"))
            if isinstance(node, ast.Import):
                graph[m] |= {a.name for a in node.names if a.name.split(".")[0] in PACKAGES}
            if isinstance(node, ast.ImportFrom):
                src = node.module or ""
                if node.level:
                    up = base.split(".")[: len(base.split(".")) - node.level + 1]
                    src = ".".join(up + ([src] if src else []))
                if src.split(".")[0] not in PACKAGES:
                    continue
                for a in node.names:
                    target = f"{src}.{a.name}" if f"{src}.{a.name}" in files else src
                    graph[m].add(target)
                    private_module = any(part.startswith("_") for part in src.split("."))
                    if (a.name.startswith("_") or private_module) and target != m:
                        private.append((m, f"{src}.{a.name}", target in files and target != src))
    return {m: {t for t in ts if t in files and t != m} for m, ts in graph.items()}, private, long


def test_imports_go_down_the_layers_without_a_circle():
    graph, _, _ = _graph()
    level = {p: i for i, p in enumerate(PACKAGES)}
    up = [(m, t) for m, ts in graph.items() for t in ts if level[t.split(".")[0]] > level[m.split(".")[0]]]
    assert not up, up
    state, cycles = {}, []

    def visit(m, path):
        state[m] = "open"
        for t in sorted(graph[m]):
            if m.startswith(t + "."):  # a module of a package importing the package's own __init__
                continue
            if state.get(t) == "open":
                cycles.append(path[path.index(t) :] + [t])
            elif t not in state:
                visit(t, path + [t])
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, cycles


def test_fits_is_at_most_five_import_floors_deep():
    graph, _, _ = _graph()
    fits = {m for m in graph if m.split(".")[0] == "fits"}

    @cache
    def floors(m):
        below = [floors(t) for t in graph[m] if t in fits and not m.startswith(t + ".")]
        return 1 + max(below, default=0)

    deepest = max(fits, key=floors)
    assert floors(deepest) <= 5, (deepest, floors(deepest))


def test_private_names_stay_in_their_package():
    _, private, _ = _graph()
    across_packages = [(m, n) for m, n, _ in private if m.split(".")[0] != n.split(".")[0]]
    assert not across_packages, across_packages
    # a package's private helper modules (likelihoods._limit, fits._arviz, jaxtmm_cli._common) serve the package;
    # private *names* of another module are the exception
    names = [(m, n) for m, n, is_module in private if n.rpartition(".")[2].startswith("_") and not is_module]
    assert len(names) <= 4, names


def test_no_function_over_80_lines():
    _, _, long = _graph()
    over = sorted(x for x in long if x[0] > 80)
    assert not over, over
