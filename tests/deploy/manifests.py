"""Shared helpers for the deploy/ tests: the generator module, kubectl, and built overlays."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "prod")


@functools.cache
def generator():
    """deploy/generate.py as a module (deploy/ is not a package)."""
    spec = importlib.util.spec_from_file_location("deploy_generate", DEPLOY / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def kubectl() -> str:
    """The kubectl `make test` puts in .venv/bin (deploy/tools/install_kubectl.py), else the one on PATH."""
    found = ROOT / ".venv" / "bin" / "kubectl"
    if os.access(found, os.X_OK):
        return str(found)
    if shutil.which("kubectl"):
        return shutil.which("kubectl")
    raise RuntimeError("kubectl not found: run `make test-deploy` (it installs one into .venv/bin)")


@functools.cache
def build(path: str) -> tuple[dict, ...]:
    """`kubectl kustomize <path>` (relative to the repo), as a tuple of objects."""
    done = subprocess.run([kubectl(), "kustomize", str(ROOT / path)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"kubectl kustomize {path} failed:\n{done.stderr}")
    return tuple(d for d in yaml.safe_load_all(done.stdout) if d)


def overlay(name: str) -> tuple[dict, ...]:
    return build(f"deploy/k8s/overlays/{name}")


def of_kind(objects, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}
