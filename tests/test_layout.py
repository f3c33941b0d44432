"""The package reads as the pipeline: its folders are the stages, no module imports another that imports
it back, only the CLI (generator/cli/) knows click, only the site builder knows MkDocs, and no module is long."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
STAGES = ["data", "notices", "publishing", "site", "announcing", "checks"]
MKDOCS_MODULES = {"generator.site.builder", "generator.site.theme_cache", "generator.site.one_markdown"}
LONGEST = 450  # "about 400 lines"


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = list(ast.iter_child_nodes(tree)) if top_level_only else list(ast.walk(tree))
    if top_level_only:  # imports under `if TYPE_CHECKING:` count: they are a cycle for a reader too
        nodes += [n for top in tree.body if isinstance(top, ast.If) for n in top.body]
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.add(target)
            out.update(f"{target}.{alias.name}" for alias in node.names)
    return out


def test_the_folders_are_the_pipeline_stages():
    found = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert set(STAGES) <= found
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "errors.py", "files.py", "project.py", "reads.py", "safepath.py", "settings.py"], loose
    for stage in STAGES:
        assert ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text())), f"{stage}/ says what it is"


def test_no_module_imports_one_that_imports_it_back():
    mods = modules()
    graph = {name: {t for t in imports(name, path, True) if t in mods and t != name} for name, path in mods.items()}
    # A package's __init__ importing its own modules is not a cycle of the pipeline.
    graph = {n: {t for t in ts if not n.startswith(t + ".")} for n, ts in graph.items()}
    seen: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycle.extend(stack[stack.index(nxt):] + [nxt])
                return True
            if nxt not in seen and visit(nxt, stack + [nxt]):
                return True
        seen[node] = 2
        return False

    for name in sorted(graph):
        if name not in seen and visit(name, [name]):
            break
    assert not cycle, " -> ".join(cycle)


def test_only_the_cli_knows_click_and_only_the_site_builder_knows_mkdocs():
    for name, path in modules().items():
        used = imports(name, path, False)
        if not (name == "generator.cli" or name.startswith("generator.cli.")):
            assert not any(u == "click" or u.startswith("click.") for u in used), name
        if name not in MKDOCS_MODULES:
            assert not any(u.split(".")[0] in ("mkdocs", "material") for u in used), name


def test_no_module_is_long():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > LONGEST}
    assert not long, long
