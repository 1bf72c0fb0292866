"""`python -m services.payments`: run the payments service until SIGTERM."""

from services.payments.app import build_runtime
from shared.runtime import serve

if __name__ == "__main__":
    serve(build_runtime())
