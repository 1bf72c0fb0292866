"""HL7 v2 original-mode acknowledgements (ACK with MSA, and ERR on an error), written with the
sender's own field separator and encoding characters."""

from __future__ import annotations

import re
from datetime import datetime

from services.registration.hl7.mapping import Header

DEFAULT = Header("|", "^~\\&", "", "", "", "", "", "", "", "P", "2.5.1")
_ERR_LOCATION = re.compile(r"^([A-Z][A-Z0-9]{2})(?:-(\d+))?(?:\.(\d+))?$")


MAX_ECHO = 199  # an echoed MSH value (ST/HD) longer than HL7 allows is cut: an ACK stays small


def _escape(text: str, header: Header) -> str:
    """Escape our own text (codes and PHI-free messages) or an echoed header value with the
    sender's characters."""
    component, repetition, escape, sub = header.encoding_characters
    out = text[:MAX_ECHO].replace(escape, f"{escape}E{escape}")
    for char, code in ((header.field_separator, "F"), (component, "S"), (repetition, "R"), (sub, "T")):
        out = out.replace(char, f"{escape}{code}{escape}")
    return out


def ack(header: Header | None, code: str, now: datetime, control_id: str, *, error_field: str | None = None,
        error_code: str | None = None, error_text: str | None = None) -> str:
    """An ACK for `header` with MSA-1 `code` (AA, AE, AR); ERR names the field at fault."""
    h = header or DEFAULT
    f, c = h.field_separator, h.encoding_characters[0]
    msh = f.join(["MSH", h.encoding_characters, _escape(h.receiving_application or "RCM", h),
                  _escape(h.receiving_facility or "RCM", h), _escape(h.sending_application, h),
                  _escape(h.sending_facility, h), now.strftime("%Y%m%d%H%M%S"), "",
                  c.join(["ACK", _escape(h.trigger, h), "ACK"]), control_id, _escape(h.processing_id or "P", h),
                  _escape(h.version or "2.5.1", h)])
    segments = [msh, f.join(["MSA", code, _escape(h.control_id, h)] + ([_escape(error_text, h)] if error_text and code != "AA" else []))]
    if code != "AA" and error_field:
        match = _ERR_LOCATION.match(error_field)
        segment, field, component = (match.group(1), match.group(2) or "", match.group(3) or "") if match else ("MSH", "", "")
        location = c.join([segment, "1", field, "1", component] if field else [segment, "1"])
        severity = "E"
        hl7_code = "207" if code == "AR" else ("101" if "MISSING" in (error_code or "") else "102")
        segments.append(f.join(["ERR", "", location, c.join([hl7_code, _escape(error_code or "", h), "HL70357"]),
                                severity, "", "", "", _escape(error_text or "", h)]))
    return "\r".join(segments) + "\r"
