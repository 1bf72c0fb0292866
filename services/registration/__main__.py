"""`python -m services.registration`: run the registration service until SIGTERM."""

from services.registration.app import build_runtime
from shared.runtime import serve

if __name__ == "__main__":
    serve(build_runtime())
