"""`python -m services.denials`: run the denials service until SIGTERM."""

from services.denials.app import build_runtime
from shared.runtime import serve

if __name__ == "__main__":
    serve(build_runtime())
