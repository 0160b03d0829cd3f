"""Figures of the code itself, as issue 17 measured them: how long functions and views are,
which modules import each other, how big the model modules are, and how often a state's
value is written out as a string outside its machine.

    python -m bench.codebase          a table
    python -m bench.codebase --json   the same figures as JSON

No database and no Django set-up: it reads the source with `ast`.
"""

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [p.name for p in sorted(ROOT.iterdir()) if (p / "apps.py").exists() or p.name == "config"]
MACHINES = {  # state enums whose values pages and code must not restate
    "ProposalState",
    "AssignmentState",
    "Decision",
    "LetterState",
    "ItemImportState",
    "LetterImportState",
}


def sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, path


def module_name(relative):
    name = relative[:-3].replace("/", ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def package_of(relative):
    name = relative[:-3].replace("/", ".")
    return name if relative.endswith("__init__.py") else name.rsplit(".", 1)[0]


def functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, node.end_lineno - node.lineno + 1


def state_values():
    """Every value of the state enums, read from their class bodies."""
    values = set()
    for _relative, path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in MACHINES:
                for item in node.body:
                    if isinstance(item, ast.Assign) and isinstance(item.value, ast.Tuple):
                        first = item.value.elts[0]
                        if isinstance(first, ast.Constant) and isinstance(first.value, str):
                            values.add(first.value)
    return values


def _constants(node):
    if isinstance(node, ast.Constant):
        yield node
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            yield from _constants(element)


def _is_state_filter(node):
    return isinstance(node, ast.keyword) and bool(node.arg) and "state" in node.arg


def _is_constant(node):
    return isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id.isupper() for t in node.targets
    )


def state_uses(tree, values):
    """String constants equal to a state's value where they stand for a state: compared
    (==, !=, in), given as a `state…=` filter, or listed in an upper-case constant (a copied
    state set). A transition's name or a dictionary key that happens to match is not one, nor
    a member of another choices class (an event named like a state defines its own value)."""
    own_values = {
        id(member)
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef)
        and any(getattr(b, "attr", getattr(b, "id", "")).endswith("Choices") for b in cls.bases)
        for member in cls.body
    }
    for node in ast.walk(tree):
        if id(node) in own_values:
            continue
        found = []
        if isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                found.extend(_constants(part))
        elif _is_state_filter(node) or _is_constant(node):
            found.extend(_constants(node.value))
        yield from (c for c in found if isinstance(c.value, str) and c.value in values)


def imports_of(tree, known, package):
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upwards
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name in known:
                found.add(name)
    return found


def measure():
    trees = {relative: ast.parse(path.read_text(encoding="utf-8")) for relative, path in sources()}
    known = {module_name(r): r for r in trees}
    long40, long50, views20 = [], [], []
    for relative, tree in trees.items():
        for node, length in functions(tree):
            where = f"{relative}:{node.lineno} {node.name} ({length})"
            if length > 40:
                long40.append(where)
            if length > 50:
                long50.append(where)
            is_view = relative.endswith(("views.py", "pages.py", "account_views.py"))
            if (
                is_view
                and node.col_offset == 0
                and node.args.args
                and (node.args.args[0].arg == "request")
            ) and length > 20:
                views20.append(where)
    graph = {
        module_name(r): imports_of(t, known, package_of(r)) - {module_name(r)}
        for r, t in trees.items()
    }
    cycles = sorted(
        {
            tuple(sorted((a, b)))
            for a, targets in graph.items()
            for b in targets
            if a in graph.get(b, ())
        }
    )
    values = state_values()
    python_strings = []
    for relative, tree in trees.items():
        if relative.endswith("models.py") or "/models/" in relative:
            continue
        for node in state_uses(tree, values):
            python_strings.append(f"{relative}:{node.lineno} {node.value!r}")
    template_strings = []
    pattern = re.compile(r"""(?:==|!=|\bin)\s*['"]([a-z_]+)['"]""")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for value in pattern.findall(line):
                if value in values:
                    template_strings.append(f"{path.relative_to(ROOT)}:{number} {value!r}")
    model_modules = {}
    for relative, tree in trees.items():
        if relative.endswith("models.py") or "/models/" in relative:
            counted = set()
            for n in tree.body:
                if isinstance(n, ast.ClassDef) and any(
                    getattr(b, "attr", getattr(b, "id", "")).endswith(("Model", "Mixin"))
                    or getattr(b, "id", "") in counted
                    for b in n.bases
                ):
                    counted.add(n.name)
            count = len(counted)
            lines = len((ROOT / relative).read_text(encoding="utf-8").splitlines())
            model_modules[relative] = {"lines": lines, "classes": count}
    return {
        "functions over 40 lines": long40,
        "functions over 50 lines": long50,
        "views over 20 lines": views20,
        "modules importing each other": [" ↔ ".join(c) for c in cycles],
        "state strings in Python": python_strings,
        "state strings in templates": template_strings,
        "model modules": model_modules,
    }


def main():
    figures = measure()
    if "--json" in sys.argv:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    for name, value in figures.items():
        if isinstance(value, dict):
            print(f"{name}:")
            for key, item in sorted(value.items(), key=lambda kv: -kv[1]["lines"]):
                print(f"  {key}: {item['lines']} lines, {item['classes']} model classes")
            continue
        print(f"{name}: {len(value)}")
        for line in value:
            print(f"  {line}")


if __name__ == "__main__":
    main()
