"""The package's import graph, read from the source (ast): every import at any
depth, inside functions too; only `if TYPE_CHECKING:` blocks are left out
(annotations, never run). Two rules (docs/architecture.md, "Layers"):

- no cycles: no module imports, however indirectly, one that imports it;
- the layers: a module imports only from its own layer or the layers below it.

And the core never imports MkDocs: only kbgen.mkdocs (the renderer adapter) does.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Bottom to top. A module belongs to the layer of the longest name here that is
# the module or a package holding it ("kbgen" alone is the root package).
LAYERS: list[tuple[str, ...]] = [
    ("kbgen", "kbgen.errors"),                 # the version; the one error root
    ("kbgen.text", "kbgen.scaffold"),          # names, anchors, escaping, plain text, globs; the scaffold's files
    ("kbgen.diagnostics",),                    # problems and their report, the problem codes, suppressions
    ("kbgen.read",),                           # files, YAML with positions, the config file, other tools' conventions
    ("kbgen.markdown",),                       # the one reading of Markdown
    ("kbgen.schema",),                         # the pydantic models of every kind
    ("kbgen.model",),                          # entities, documents, links between them, the audience view
    ("kbgen.kinds",),                          # the kind registry: what each kind adds to the model
    ("kbgen.config",),                         # the KB's configuration (its kinds included)
    ("kbgen.load",),                           # files -> documents -> the model
    ("kbgen.rules",),                          # the checks
    ("kbgen.validate",),                       # load + model + rules: what every command starts with
    ("kbgen.pages",),                          # pages as Markdown, listings, navigation, redirects
    ("kbgen.outputs",),                        # kb.json, llms.txt, the export, the review, the JSON Schemas
    ("kbgen.search",),                         # agent search
    ("kbgen.site",),                           # stage, post-process, swap: for any renderer
    ("kbgen.mkdocs",),                         # the renderer adapter, the only importer of MkDocs; serve
    ("kbgen.agents", "kbgen.adopt"),           # the MCP server; adopting a repository
    ("kbgen.commands", "kbgen.cli"),           # the command line
    ("kbgen.plaintext", "kbgen.source"),       # import paths kept for installed kinds: kbgen never imports them
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "kbgen").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return test is not None and "TYPE_CHECKING" in ast.unparse(test)


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported name, line) of every import of the module, TYPE_CHECKING blocks left out."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if _type_checking(node):
            for child in node.orelse:  # an `else:` of TYPE_CHECKING runs
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((name, node.lineno))
            found.extend((f"{name}.{a.name}", node.lineno) for a in node.names)  # a submodule by name
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _graph() -> dict[str, dict[str, int]]:
    """module -> {kbgen module it imports: line}."""
    mods = _modules()
    return {m: {name: line for name, line in _imports(m, p) if name in mods and name != m} for m, p in mods.items()}


def _layer(module: str) -> int:
    best, found = -1, None
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if (module == prefix or (prefix != "kbgen" and module.startswith(prefix + "."))) and len(prefix) > best:
                best, found = len(prefix), i
    assert found is not None, f"{module} is in no layer: add it to LAYERS (tests/test_import_graph.py)"
    return found


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
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
    return out


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_a_layer_imports_only_from_itself_and_below():
    wrong = []
    for module, imported in sorted(_graph().items()):
        for name, line in sorted(imported.items()):
            if _layer(name) > _layer(module):
                wrong.append(f"{_modules()[module].relative_to(SRC)}:{line}: {module} (layer {_layer(module)}) "
                             f"imports {name} (layer {_layer(name)})")
    assert not wrong, "\n".join(wrong)


def test_every_module_is_in_a_layer():
    for module in _modules():
        _layer(module)


def test_nothing_imports_the_kept_plugin_paths():
    """kbgen.plaintext and kbgen.source only re-export names for installed kinds."""
    users = [m for m, imported in _graph().items() for name in imported if name in ("kbgen.plaintext", "kbgen.source")]
    assert users == []


def test_only_the_adapter_imports_mkdocs():
    """The core (and the site, search, outputs, agents) never imports MkDocs or
    Material, at any depth: another renderer can take the adapter's place."""
    wrong = []
    for module, path in sorted(_modules().items()):
        if module == "kbgen.mkdocs" or module.startswith("kbgen.mkdocs."):
            continue
        for name, line in _imports(module, path):
            if name.split(".")[0] in ("mkdocs", "material"):
                wrong.append(f"{path.relative_to(SRC)}:{line}: {module} imports {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}, [["a", "b", "c"]]),
    ({"a": {"b": 1}, "b": {}}, []),
])
def test_the_cycle_finder_finds_cycles(graph, cycle):
    assert _cycles(graph) == cycle
