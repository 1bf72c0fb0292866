"""`python -m services.coding`: run the coding service until SIGTERM."""

from services.coding.app import build_runtime
from shared.runtime import serve

if __name__ == "__main__":
    serve(build_runtime())
