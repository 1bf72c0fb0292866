"""The `rcm` commands act on a service's data only through its API: no module of cli/ imports a
service's repository, ledgers or the functions that write its database, whether as a module
(`import services.x.repository`, `from services.x.repository import ...`) or as a name
(`from services.x import work_items`)."""

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[3] / "cli"
WRITERS = ("repository", "ledgers", "billing_runs", "decisions", "intake", "posting_unit", "payers", "work_items")


def _imports(source: str) -> set[str]:
    """Every module a source imports, and `package.name` for each name imported from a package."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _offending(source: str) -> set[str]:
    return {module for module in _imports(source)
            if module.startswith("services.") and module.rsplit(".", 1)[-1] in WRITERS}


def test_no_cli_module_imports_what_writes_a_services_database() -> None:
    offending = {f"{path.name}: {module}" for path in sorted(CLI.glob("*.py")) for module in _offending(path.read_text())}
    assert offending == set()


def test_a_writer_imported_as_a_module_or_as_a_name_is_caught() -> None:
    source = ("from services.registration import work_items\n"
              "def load():\n    from services.registration.payers import load_crosswalk\n"
              "import services.coding.repository\n"
              "from services.registration.crosswalk import parse_crosswalk_csv\n")
    assert _offending(source) == {"services.registration.work_items", "services.registration.payers",
                                  "services.coding.repository"}
