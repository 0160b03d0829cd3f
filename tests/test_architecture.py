"""docs/architecture.md stays true: every module of the apps is named there and every module
it names exists; and the apps depend one way (api, reports, search, demo → responses →
workflow → proposals; the four top apps never import one another), imports inside functions
included."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
APPS = [
    "proposals",
    "workflow",
    "responses",
    "api",
    "reports",
    "search",
    "demo",
    "portal",
    "config",
]
COMMANDS = "management/commands/"

# An app may import only the apps on a lower level than its own (config is on top, outside the
# chain). The apps of level 3 serve every app below them and stand side by side: none of them
# imports another.
LAYERS = {
    "proposals": 0,
    "workflow": 1,
    "responses": 2,
    "api": 3,
    "reports": 3,
    "search": 3,
    "demo": 3,
    "portal": 3,
}

# Imports that break the layering today and are waiting to be moved (module, imported app).
# Empty: none found when this test was written. Never add to it: move the code instead.
KNOWN_LAYERING_EXCEPTIONS = set()


def modules():
    """Every Python module of the apps, as a path relative to the repository (migrations and
    empty package markers left out; management commands are named by their folder)."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or path.name == "__init__.py":
                continue
            found.add(relative)
    return found


def named_in_doc():
    """The app paths the page names in backticks: modules (…py) and folders (…/)."""
    apps = "|".join(APPS)
    pattern = re.compile(rf"`((?:{apps})/[\w/.]*)`")
    return set(pattern.findall(DOC.read_text(encoding="utf-8")))


def test_every_module_is_named_in_the_architecture_page():
    named = named_in_doc()
    folders = {n for n in named if n.endswith("/")}
    missing = sorted(
        m
        for m in modules()
        if m not in named and not (COMMANDS in m and m.rsplit("/", 1)[0] + "/" in folders)
    )
    assert not missing, f"add to docs/architecture.md: {missing}"


def test_every_module_the_page_names_exists():
    absent = sorted(n for n in named_in_doc() if not (ROOT / n).exists())
    assert not absent, f"docs/architecture.md names what is not there: {absent}"


def test_the_page_names_every_command_folder():
    named = named_in_doc()
    for app in APPS:
        folder = f"{app}/{COMMANDS}"
        if any(m.startswith(folder) for m in modules()):
            assert folder in named, f"name {folder} in docs/architecture.md"


def imported_apps(path):
    """(line, app) for every absolute import of one of the apps in a module, at any depth:
    module level, inside functions and classes, inside `if TYPE_CHECKING`. Relative imports
    stay inside the module's own app."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield node.lineno, name.split(".")[0]


def layering_violations():
    found = {}
    for app, level in LAYERS.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            for line, imported in imported_apps(path):
                above = imported != app and LAYERS.get(imported, -1) >= level
                if imported == "config" or above:
                    found.setdefault((relative, imported), []).append(line)
    return found


def test_lower_apps_never_import_higher_ones():
    """proposals imports neither workflow nor responses (nor config); workflow does not import
    responses (nor config); responses imports none of api, reports, search and demo, and those
    four do not import one another."""
    found = layering_violations()
    new = {k: v for k, v in found.items() if k not in KNOWN_LAYERING_EXCEPTIONS}
    assert not new, "a lower app imports a higher one: " + "; ".join(
        f"{module} imports {app} (line {', '.join(map(str, lines))})"
        for (module, app), lines in sorted(new.items())
    )


def test_known_exceptions_are_still_real():
    """A fixed exception leaves the list, so it cannot come back unnoticed."""
    stale = KNOWN_LAYERING_EXCEPTIONS - set(layering_violations())
    assert not stale, f"remove from KNOWN_LAYERING_EXCEPTIONS: {sorted(stale)}"


def test_the_layering_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text(
        "def f():\n    from responses.models import Letter\n    import workflow.audit\n",
        encoding="utf-8",
    )
    assert sorted(app for _line, app in imported_apps(module)) == ["responses", "workflow"]


def test_the_layering_check_sees_sibling_apps(tmp_path, monkeypatch):
    """An app of the top level importing another of the same level is reported."""
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "views.py").write_text("from search import queries\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert ("reports/views.py", "search") in layering_violations()
