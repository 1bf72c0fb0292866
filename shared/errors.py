"""The base of every service's domain errors (no I/O imports, so pure domain modules can use it)."""


class RcmError(Exception):
    """Bad input that retrying will not fix.

    `code` is short and stable (it becomes the dead-letter reason code and a metric label); the
    message names ids and codes only, never PHI."""

    code = "RCM_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
