"""The dashboards-and-alerts generator (deploy/grafana/generate.py), loaded as a module for tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "generate.py"


def generator():
    spec = importlib.util.spec_from_file_location("rcm_grafana_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module
