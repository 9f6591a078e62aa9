"""The package's shape (issue "One way through"): no import circles, modules of a readable size,
and a package face whose functions do not hide their modules."""
from __future__ import annotations

import ast
from pathlib import Path

import stance

PACKAGE = Path(stance.__file__).resolve().parent
MAX_LINES = 450  # "about 400": a module another engineer reads in one sitting


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    files = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    return files


def imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``path`` imports anywhere in its code (lazy imports inside
    functions included; doctests are strings, so not)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("stance"):
            names = [f"{node.module}.{a.name}" for a in node.names]
            found.update(n if n in known else node.module for n in names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("stance"))
    return {n for n in found if n in known}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_planted_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    files = module_files()
    graph = {name: imports(path, set(files)) - {name} for name, path in files.items()}
    assert sum(map(len, graph.values())) > 50  # the walk sees the imports
    assert "stance.core" in graph["stance.classifier"]
    assert cycles(graph) == []


def test_no_module_is_too_long_to_read_in_one_sitting():
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in module_files().items()}
    assert len(lengths) > 30
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def test_functions_do_not_hide_their_modules():
    """``stance.evaluate`` is the module (``stance.evaluate.macro_f1`` works) and still runs its
    main function when called, as do ``stance.compare``, ``stance.agreement`` and ``stance.sensitivity``."""
    import pandas as pd

    assert stance.evaluate.macro_f1(["a", "b"], ["a", "b"]) == 1.0
    result = stance.evaluate(pd.DataFrame({"gold": ["a", "b"], "pred": ["a", "a"]}), gold="gold", pred="pred")
    assert result.accuracy == 0.5
    for name in ("evaluate", "compare", "agreement", "sensitivity", "plot", "report", "io"):
        module = getattr(stance, name)
        assert module.__name__ == f"stance.{name}", name
    table = pd.DataFrame({"source_type": ["a", "b"], "tone": ["hostile", "neutral"]})
    assert stance.compare(table, scheme="tone").equals(stance.compare.compare(table, scheme="tone"))
