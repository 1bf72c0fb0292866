"""The FHIR endpoint's HTTP server: uvicorn with limits a stranger cannot get around.

uvicorn closes an idle keep-alive connection only after a first request, and waits for slow
request headers forever. `_GuardedH11` arms a timer when a connection opens and again after each
response: if no request has been handed to the application by then, the connection is answered
408 and closed. Headers are bounded by h11 (16 KiB), connections by `limit_concurrency` (503
beyond), the body and its reading time by the application (services/registration/fhir/api.py).
"""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

_TIMEOUT_BODY = (b'{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout",'
                 b'"diagnostics":"request not sent in time"}]}')
TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/fhir+json\r\nconnection: close\r\n"
                    b"content-length: %d\r\n\r\n" % len(_TIMEOUT_BODY) + _TIMEOUT_BODY)


class _GuardedH11(H11Protocol):
    request_seconds = 15.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._guard: asyncio.TimerHandle | None = None
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._guard is not None:
            self._guard.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
        self._guard = self.loop.call_later(self.request_seconds, self._expire)

    def _expire(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            return  # the application has the request; it bounds the body itself
        if not self.transport.is_closing():
            self.transport.write(TIMEOUT_RESPONSE)
            self.transport.close()


def fhir_server_config(app, settings) -> uvicorn.Config:
    """The uvicorn config of the FHIR endpoint from RegistrationSettings."""
    guarded = type("GuardedH11", (_GuardedH11,), {"request_seconds": settings.registration_fhir_read_seconds})
    return uvicorn.Config(app, host=settings.registration_fhir_host, port=settings.registration_fhir_port,
                          log_level="warning", lifespan="off", access_log=False, http=guarded,
                          limit_concurrency=settings.registration_fhir_max_connections, timeout_keep_alive=5)
