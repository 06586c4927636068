"""The package's folders are the pipeline's stages, and data flows one way: a module imports
only from its own stage, from stages below it, and from the shared top-level modules
(corpus ← search ← answer ← service ← cli / tui). A newcomer can then read the folders in order."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
SHARED = {"assistant", "assistant.models", "assistant.errors", "assistant.paths", "assistant.config",
          "assistant.locks", "assistant.terminal", "assistant.data"}
LEVELS = {"corpus": 1, "search": 2, "answer": 3, "service": 4, "cli": 5, "tui": 5}


def level(module: str) -> int:
    if module in SHARED:
        return 0
    parts = module.split(".")
    return LEVELS[parts[1]]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] == "assistant")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "assistant":
            if node.module == "assistant":  # from assistant import paths
                names.update(f"assistant.{a.name}" if f"assistant.{a.name}" in SHARED else "assistant"
                             for a in node.names)
            else:
                names.add(node.module)
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_module_imports_from_a_stage_above_its_own():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        if me == "assistant.__main__":
            continue
        mine = level(me) if me in SHARED else LEVELS[me.split(".")[1]]
        for other in imported_modules(path):
            if level(other) > mine:
                wrong.append(f"{me} imports {other}")
    assert not wrong, wrong


def test_the_top_level_holds_only_what_every_stage_shares():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules == {"__init__", "__main__", "models", "errors", "paths", "config", "locks", "terminal", "service"}
    for stage in ("corpus", "search", "answer", "cli", "tui"):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"assistant/{stage}/__init__.py says what the stage takes and gives"
