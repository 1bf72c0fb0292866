"""Validation against the implementation guides: envelopes, loop structure, elements, balancing
and the situational rules our claims depend on."""

from shared.x12.validation.report import ValidationReport, validate

__all__ = ["ValidationReport", "validate"]
