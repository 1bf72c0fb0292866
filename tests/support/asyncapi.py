"""The AsyncAPI generator (docs/asyncapi/generate.py), loaded as a module for tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[2] / "docs" / "asyncapi" / "generate.py"


def generator():
    spec = importlib.util.spec_from_file_location("rcm_asyncapi_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
