"""The synthetic EHR feed as HL7 v2: each simulated visit as one ADT^A04 with its charges (IN1, DG1,
FT1), the way a practice's EHR would send it to registration's MLLP listener.

`facilities(world)` is the RCM_REGISTRATION_FEED_FACILITIES table registration needs to map the
sending facilities back to tenants and their billing providers (the billing provider travels that
way, not in the message). Everything else of the visit travels: the rendering provider's taxonomy in
a ROL segment (ROL-3 AT, ROL-9 the NUCC code) and the note as a text observation (OBX-2 TX, one
OBX-5 repetition per line). Registration upper-cases the rendering provider's name.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from services.registration.facilities import Facility
from shared.events import CoverageOrder, Relationship, RegistrationRequested
from shared.mllp import END, frame, unframe
from simulator.population import World

_ORDER = {CoverageOrder.PRIMARY: "1", CoverageOrder.SECONDARY: "2", CoverageOrder.TERTIARY: "3"}
_RELATIONSHIP = {Relationship.SELF: "SEL", Relationship.SPOUSE: "SPO", Relationship.CHILD: "CHD",
                 Relationship.OTHER: "OTH"}


def facility_code(tenant_id: str) -> str:
    """The MSH-4 sending facility of a simulated practice: its tenant id, upper case, alphanumeric."""
    return re.sub(r"[^A-Z0-9]", "", tenant_id.upper())


def facilities(world: World) -> dict[str, Facility]:
    return {facility_code(p.tenant_id): Facility(tenant_id=p.tenant_id, billing=p.billing) for p in world.practices}


def facilities_json(world: World) -> str:
    """The value for RCM_REGISTRATION_FEED_FACILITIES."""
    return json.dumps({key: facility.model_dump(mode="json", exclude_none=True) for key, facility in facilities(world).items()})


def _escape(value: str) -> str:
    return (value.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\").replace("~", "\\R\\")
            .replace("&", "\\T\\"))


def _segment(name: str, fields: dict[int, str]) -> str:
    values = [""] * max(fields)
    for number, value in fields.items():
        values[number - 1] = value
    return "|".join([name, *values])


def checked_in_at(request: RegistrationRequested) -> datetime | None:
    """When the practice registered the visit (UTC), if that was on its date of service: what the
    feeds send as the visit's start time (PV1-44, Encounter.period.start)."""
    registered = request.registered_at.astimezone(UTC)
    return registered if registered.date() == request.visit.date_of_service else None


def _visit_start(request: RegistrationRequested) -> str:
    """PV1-44: the check-in time, else the date of service alone."""
    start = checked_in_at(request)
    return start.strftime("%Y%m%d%H%M%S") if start else request.visit.date_of_service.strftime("%Y%m%d")


def encode(tenant_id: str, request: RegistrationRequested, control_id: str, sent: datetime) -> str:
    """One ADT^A04 carrying the whole visit (complete for billing on arrival)."""
    stamp = sent.strftime("%Y%m%d%H%M%S")
    patient, visit = request.patient, request.visit
    address = patient.address
    attending = f"{visit.rendering.npi}^{_escape(visit.rendering.name)}^^^^^^^NPI"
    segments = [
        f"MSH|^~\\&|SIMEHR|{facility_code(tenant_id)}|RCM|RCM|{stamp}||ADT^A04^ADT_A01|{control_id}|P|2.5.1",
        f"EVN|A04|{stamp}",
        _segment("PID", {1: "1", 3: f"{_escape(patient.mrn)}^^^{facility_code(tenant_id)}^MR",
                         5: f"{_escape(patient.last_name)}^{_escape(patient.first_name)}",
                         7: patient.birth_date.strftime("%Y%m%d"), 8: patient.sex.value,
                         11: f"{_escape(address.line1)}^^{_escape(address.city)}^{address.state}^{address.postal_code}"}),
        _segment("PV1", {1: "1", 2: "O", 3: visit.place_of_service, 7: attending,
                         19: _escape(visit.visit_number), 44: _visit_start(request)}),
    ]
    if visit.rendering.taxonomy:
        segments.append(_segment("ROL", {1: "1", 2: "AD", 3: "AT^Attending^HL70443", 4: attending,
                                         9: f"{visit.rendering.taxonomy}^^NUCCPT"}))
    if request.note:
        lines = "~".join(_escape(line) for line in request.note.splitlines())
        segments.append(_segment("OBX", {1: "1", 2: "TX", 3: "11506-3^Progress note^LN", 5: lines, 11: "F"}))
    for coverage in request.coverages:
        fields = {1: _ORDER[coverage.order], 3: coverage.payer_id, 4: _escape(coverage.payer_name),
                  8: _escape(coverage.group_number or ""), 15: coverage.claim_filing_indicator,
                  17: _RELATIONSHIP[coverage.relationship], 36: _escape(coverage.member_id)}
        if coverage.subscriber is not None:
            holder = coverage.subscriber
            fields |= {16: f"{_escape(holder.last_name)}^{_escape(holder.first_name)}", 43: holder.sex.value,
                       18: holder.birth_date.strftime("%Y%m%d") if holder.birth_date else ""}
        segments.append(_segment("IN1", fields))
    for number, diagnosis in enumerate(request.diagnoses, start=1):
        segments.append(_segment("DG1", {1: str(number), 3: f"{diagnosis.code}^^I10"}))
    day = visit.date_of_service.strftime("%Y%m%d")
    for number, service in enumerate(request.services, start=1):
        pointed = "~".join(request.diagnoses[p - 1].code for p in service.diagnosis_pointers)
        segments.append(_segment("FT1", {1: str(number), 4: day, 6: "CG", 10: str(service.units), 19: pointed,
                                         25: f"{service.procedure_code}^^CPT", 26: "~".join(service.modifiers)}))
    return "\r".join(segments)


def sending_facility(message: str) -> str:
    """MSH-4 of a message this module wrote."""
    fields = message.split("\r", 1)[0].split("|")
    return fields[3].split("^")[0] if len(fields) > 3 else ""


async def deliver_over_mllp(host: str, port: int, messages: Sequence[str], *, connections: int = 8,
                            timeout: float = 60.0, on_answer: Callable[[int, str, str | None], None] | None = None,
                            tls: Mapping[str, ssl.SSLContext] | None = None) -> list[tuple[str, str | None]]:
    """Send `messages` over `connections` MLLP connections, each waiting for its ACK; return per
    message its MSA-1 code (AA, AE, AR, or "unacknowledged") and, for an AE or AR, the reason the
    ACK's ERR gives: its error code and location, e.g. "INVALID_FIELD PV1-7" (never a value). A
    message the listener did not acknowledge is sent again (at most 5 times, on a fresh
    connection): registration applies a repeated MSH-10 once. `on_answer(index, code, reason)` is
    called as each answer arrives.

    With `tls` (sending facility -> client context), each facility's messages go over its own
    mutual-TLS connections, as each practice's EHR presents its own certificate."""
    answers: list[tuple[str, str | None]] = [("unacknowledged", None)] * len(messages)

    async def send_share(indexes: Sequence[int], context: ssl.SSLContext | None = None) -> None:
        reader = writer = None
        for index in indexes:
            for attempt in range(5):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port, ssl=context)
                    writer.write(frame(messages[index]))
                    await writer.drain()
                    reply = await asyncio.wait_for(reader.readuntil(END), timeout)
                    break
                except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    await asyncio.sleep(0.2 * (attempt + 1))
            else:
                if on_answer:
                    on_answer(index, *answers[index])
                continue
            answers[index] = ack_answer(unframe(reply).decode(errors="replace"))
            if on_answer:
                on_answer(index, *answers[index])
        if writer is not None:
            writer.close()

    if tls is None:
        await asyncio.gather(*(send_share(range(i, len(messages), connections)) for i in range(max(1, connections))))
        return answers
    groups: dict[str, list[int]] = {}
    for index, message in enumerate(messages):
        groups.setdefault(sending_facility(message), []).append(index)
    share = max(1, connections // max(1, len(groups)))
    await asyncio.gather(*(send_share(indexes[i::share], tls.get(facility))
                           for facility, indexes in groups.items() for i in range(share)))
    return answers


def ack_answer(ack: str) -> tuple[str, str | None]:
    """MSA-1 of an ACK and, unless AA, ERR-3's error code with ERR-2's segment and field."""
    segments = {line[:3]: line.split("|") for line in reversed(ack.split("\r")) if line}
    code = (segments.get("MSA", ["MSA", ""]) + [""])[1]
    err = segments.get("ERR")
    if code == "AA" or err is None:
        return code, None
    location = (err[2] if len(err) > 2 else "").split("^")
    error = (err[3] if len(err) > 3 else "").split("^")
    where = location[0] + (f"-{location[2]}" if len(location) > 2 and location[2] else "")
    return code, " ".join(part for part in (error[1] if len(error) > 1 else error[0], where) if part) or None


async def send_over_mllp(host: str, port: int, messages: list[str], *, connections: int = 8,
                         timeout: float = 60.0, tls: Mapping[str, ssl.SSLContext] | None = None) -> dict[str, int]:
    """`deliver_over_mllp`, counted: how many messages got each MSA-1 code."""
    answers = await deliver_over_mllp(host, port, messages, connections=connections, timeout=timeout, tls=tls)
    return dict(Counter(code for code, _ in answers))
