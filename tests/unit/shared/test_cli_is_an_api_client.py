"""The `rcm` commands act on a service's data only through its API: no module of cli/ imports a
service's repository, ledgers or the functions that write its database."""

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[3] / "cli"
WRITERS = ("repository", "ledgers", "billing_runs", "decisions", "intake", "posting_unit")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_cli_module_imports_what_writes_a_services_database() -> None:
    offending = {f"{path.name}: {module}" for path in sorted(CLI.glob("*.py")) for module in _imports(path)
                 if module.startswith("services.") and module.rsplit(".", 1)[-1] in WRITERS}
    assert offending == set()
