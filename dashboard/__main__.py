"""`python -m dashboard`: run the dashboard projection until SIGTERM."""

from dashboard.app import build_runtime
from shared.runtime import serve

if __name__ == "__main__":
    serve(build_runtime())
