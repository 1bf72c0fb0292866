"""`python -m identity`: run the local token issuer until SIGTERM."""

import uvicorn

from identity.app import build_app
from identity.settings import IdentitySettings
from shared.settings import DEFAULT_HTTP_PORTS

if __name__ == "__main__":
    settings = IdentitySettings()
    uvicorn.run(build_app(settings), host=settings.http_host, port=settings.http_port or DEFAULT_HTTP_PORTS["identity"],
                log_level="warning")
