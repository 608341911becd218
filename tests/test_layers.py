"""The layer order, checked on every module's imports (also those inside functions), and module size.

ui/commands -> services -> store/reports -> domain. domain imports nothing of ours; store and
reports never import services, ui or commands; services never import the composition root
(desktop/app.py), ui or commands; ui and commands never import store; nothing imports ui except
the CLI's GUI entry (desktop/cli.py). desktop/errors.py, desktop/paths.py, desktop/deferred_imports.py,
desktop/digests.py and the package itself sit at the bottom with domain: everything may use them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "desktop"
MAX_LINES = 400
BASE = {"desktop", "desktop.errors", "desktop.paths", "desktop.deferred_imports", "desktop.digests"}

# layer of the importing module -> layers it may import (besides itself and BASE)
ALLOWED = {
    "domain": set(),
    "base": {"domain"},
    "store": {"domain"},
    "reports": {"domain", "store"},
    "services": {"domain", "store", "reports"},
    "app": {"domain", "store", "reports", "services"},
    "commands": {"domain", "services", "app"},
    "ui": {"domain", "services", "app"},
    "cli": {"commands"},
    "main": {"cli", "store"},
}
GUI_ENTRY = ("desktop.cli", "desktop.ui.shell.launch")  # the one import of ui from outside it


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(name: str) -> str:
    if name in BASE:
        return "base"
    if name == "desktop.app":
        return "app"
    if name == "desktop.cli":
        return "cli"
    if name == "desktop.__main__":
        return "main"
    return name.split(".")[1]


def imports(path: Path, name: str) -> list[tuple[int, str]]:
    """(line, module) of every import of ours in the file, at any depth; relative ones resolved."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: -node.level if path.name != "__init__.py" else len(name.split("."))
                                        - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from desktop import app` / `from desktop.store import keys` import a module too
            found += [(node.lineno, f"{target}.{a.name}") for a in node.names
                      if (PACKAGE.parent / f"{target}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
                      or (PACKAGE.parent / f"{target}.{a.name}".replace(".", "/")).is_dir()]
    return [(line, mod) for line, mod in found if mod == "desktop" or mod.startswith("desktop.")]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def violations() -> list[str]:
    out = []
    for path in modules():
        name = module_name(path)
        own = layer(name)
        for line, target in imports(path, name):
            theirs = layer(target)
            if theirs in (own, "base"):
                continue
            if (name, target) == GUI_ENTRY:
                continue
            if theirs not in ALLOWED[own]:
                out.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {target} ({theirs})")
    return out


def test_no_module_imports_against_the_layer_order():
    assert violations() == []


@pytest.mark.parametrize("source, target, bad", [
    ("desktop.ui.cases.model", "desktop.store.keys", True),
    ("desktop.commands.core", "desktop.store", True),
    ("desktop.services.backup_service", "desktop.app", True),
    ("desktop.domain.models", "desktop.errors", False),
    ("desktop.domain.models", "desktop.store.vault", True),
    ("desktop.store.vault", "desktop.services.context", True),
    ("desktop.services.reporting", "desktop.ui.widgets.jobs", True),
    ("desktop.commands.core", "desktop.ui.shell.launch", True),
    ("desktop.cli", "desktop.ui.shell.launch", False),
    ("desktop.ui.shell.launch", "desktop.app", False),
])
def test_the_rule_itself(source, target, bad):
    own, theirs = layer(source), layer(target)
    allowed = theirs in (own, "base") or (source, target) == GUI_ENTRY or theirs in ALLOWED[own]
    assert allowed is not bad


def test_imports_inside_functions_are_seen(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from desktop.store.keys import Key\n    import desktop.store.vault\n")
    assert [m for _, m in imports(sample, "desktop.ui.x")] == ["desktop.store.keys", "desktop.store.vault"]


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def reach_ins(path: Path, root: Path = ROOT) -> list[str]:
    """Attribute reads that reach past the services into the store: .ctx, .vault, .repo, .repos."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [f"{path.relative_to(root)}:{n.lineno}: .{n.attr}" for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr in ("ctx", "vault", "repo", "repos")]


def test_ui_and_commands_ask_services_not_their_repositories():
    found = [hit for p in modules() if layer(module_name(p)) in ("ui", "commands") for hit in reach_ins(p)]
    assert found == []


def test_a_reach_in_is_seen(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f(services):\n    return services.ctx.cases.get(1), services.vault.path\n")
    assert sorted(hit.split(": ")[1] for hit in reach_ins(sample, tmp_path)) == [".ctx", ".vault"]
