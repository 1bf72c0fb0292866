"""`python -m services.claims`: run the claims service until SIGTERM."""

from services.claims.app import build_runtime
from shared.runtime import serve

if __name__ == "__main__":
    serve(build_runtime())
