"""Structured JSON logs that carry ids, never PHI.

Log events name ids (tenant, encounter, claim, batch, remittance) and codes. As a second line of
defence, any key that names a PHI field is replaced by '[phi]' before a line is written.
"""

from __future__ import annotations

import logging
import sys

import structlog

PHI_KEYS = frozenset({
    "patient", "first_name", "last_name", "name", "birth_date", "dob", "member_id", "ssn",
    "address", "line1", "city", "postal_code", "note", "mrn", "subscriber",
})


def _redact_phi(_logger, _method, event_dict):
    for key in PHI_KEYS.intersection(event_dict):
        event_dict[key] = "[phi]"
    return event_dict


def configure(service: str, level: str = "INFO") -> None:
    """JSON lines on stdout, with the service name, level and UTC timestamp on each."""
    logging.basicConfig(stream=sys.stdout, level=level.upper(), format="%(message)s")
    for noisy in ("aiokafka", "faststream", "pymongo", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact_phi,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str):
    return structlog.get_logger(name)
