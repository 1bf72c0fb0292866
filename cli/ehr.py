"""`rcm ehr`: look at what EHR feed files map to, before a practice connects its feed.

rcm ehr inspect FILE [--json] [--phi] [--crosswalk CSV]

Exits as the feed would answer: 0 when every message would be acknowledged AA (FHIR: 2xx), listing
the registration work items each would open and why; 1 when one would be answered AE/AR (FHIR:
4xx), with the reason; 2 for a file that is neither HL7 v2 nor FHIR JSON.

FILE holds HL7 v2 messages (one or many, segments separated by CR or LF) or a FHIR R4 JSON resource
or Bundle. Sending facilities come from RCM_REGISTRATION_FEED_FACILITIES; an unconfigured one is
inspected as if it were configured, and reported. Payers are resolved with the tenant's crosswalk
file when `--crosswalk` is given (else as for a tenant without one). Patient names, dates of birth,
addresses and member ids are hidden unless --phi is given.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from services.registration.crosswalk import EMPTY, Crosswalk, issues_for
from services.registration.facilities import Facility
from services.registration.feed import FeedMessage
from shared.events import Provider

app = typer.Typer(no_args_is_help=True, add_completion=False, help="EHR feeds (HL7 v2, FHIR R4): inspect files")

MAPPED, WITH_ERRORS, UNREADABLE = 0, 1, 2
HIDDEN = "[hidden]"
_PLACEHOLDER = Facility(tenant_id="unconfigured", billing=Provider(npi="0000000000", name="FACILITY NOT CONFIGURED"))


class _AnyFacility(dict):
    """Configured facilities, and a placeholder for any other (inspection only)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Facility:
        return dict.get(self, key) or dict.get(self, str(key).split("/")[0]) or _PLACEHOLDER


def _facilities() -> dict[str, Facility]:
    try:
        from services.registration.settings import RegistrationSettings

        return RegistrationSettings().registration_feed_facilities
    except Exception:  # noqa: BLE001 - a bad setting must not stop an inspection
        return {}


def describe(message: FeedMessage, *, show_phi: bool, crosswalk: Crosswalk = EMPTY) -> dict[str, Any]:
    """What a feed message maps to, as JSON-ready data (PHI hidden unless asked)."""
    patient = message.patient.model_dump(mode="json") if message.patient else None
    if patient and not show_phi:
        patient = {key: (value if key == "sex" else HIDDEN) for key, value in patient.items()}
    coverages = [c.model_dump(mode="json") for c in message.coverages]
    if not show_phi:  # the subscriber of a dependent's coverage is a person too: name, birth date
        coverages = [{**c, "member_id": HIDDEN, **({"subscriber": HIDDEN} if c.get("subscriber") else {})}
                     for c in coverages]
    return {
        "kind": str(message.kind), "message_id": message.message_id, "sent_at": message.sent_at.isoformat(),
        "visit_number": message.visit_number, "patient": patient, "coverages": coverages,
        "visit": message.visit.model_dump(mode="json") if message.visit else None,
        "services": [s.model_dump(mode="json") for s in message.services],
        "diagnoses": [d.code for d in message.diagnoses], "warnings": list(message.warnings),
        "work_items": [{"code": i.code, "field": i.field, "reason": i.reason}
                       for i in issues_for(message, crosswalk, datetime.now(UTC).date())],
    }


def inspect_hl7(text: str, facilities: dict[str, Facility], *, show_phi: bool,
                crosswalk: Crosswalk = EMPTY) -> list[dict[str, Any]]:
    from services.registration.hl7.mapping import MappingError, map_message, split_messages

    results = []
    for number, raw in enumerate(split_messages(text), start=1):
        entry: dict[str, Any] = {"message": number}
        try:
            mapped = map_message(raw, _AnyFacility(facilities))
        except MappingError as refused:
            entry.update(ok=False, ack=refused.ack_code, field=refused.field, code=refused.code, error=str(refused))
        except Exception as failure:  # noqa: BLE001 - inspection never ends in a traceback
            entry.update(ok=False, ack="AR", field="MSH", code="UNREADABLE", error=type(failure).__name__)
        else:
            entry.update(ok=True, ack="AA", message_type=f"{mapped.header.message_type}^{mapped.header.trigger}",
                         sending_facility=mapped.header.sending_facility, tenant_id=mapped.facility.tenant_id,
                         **describe(mapped.message, show_phi=show_phi, crosswalk=crosswalk),
                         charges=[{"procedure_code": c.procedure_code, "amount": str(c.amount) if c.amount is not None else None}
                                  for c in mapped.charges])
            if mapped.facility is _PLACEHOLDER:
                entry["warnings"].append("sending facility is not configured (RCM_REGISTRATION_FEED_FACILITIES)")
        results.append(entry)
    return results


def inspect_fhir(document: Any, facilities: dict[str, Facility], *, show_phi: bool,
                 crosswalk: Crosswalk = EMPTY) -> list[dict[str, Any]]:
    from services.registration.fhir.mapping import FhirMappingError, map_resource

    try:
        messages = map_resource(document, "inspect")
    except FhirMappingError as refused:
        return [{"message": 1, "ok": False, "status": refused.status, "field": refused.location, "code": refused.code,
                 "error": str(refused)}]
    return [{"message": n, "ok": True, "status": 200, **describe(m, show_phi=show_phi, crosswalk=crosswalk)}
            for n, m in enumerate(messages, start=1)]


def _crosswalk(file: Path | None, as_json: bool) -> Crosswalk:
    from services.registration.crosswalk import CrosswalkFileError, parse_crosswalk_csv

    if file is None:
        return EMPTY
    try:
        return Crosswalk(parse_crosswalk_csv(file.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, CrosswalkFileError) as unusable:
        _fail(as_json, f"crosswalk {file} not usable: {type(unusable).__name__}")
    return EMPTY


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="HL7 v2 messages or a FHIR R4 JSON resource/Bundle")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    show_phi: Annotated[bool, typer.Option("--phi", help="show names, birth dates, addresses, member ids")] = False,
    crosswalk_file: Annotated[Path | None, typer.Option("--crosswalk", help="the tenant's payer crosswalk CSV")] = None,
) -> None:
    """Map FILE as registration would; exit 0 acknowledged (AA/2xx, with the work items it would
    open), 1 refused (AE/AR/4xx), 2 unreadable."""
    crosswalk = _crosswalk(crosswalk_file, as_json)
    try:
        data = file.read_bytes()
    except OSError as failure:
        _fail(as_json, f"cannot open {file}: {failure.strerror or 'unreadable'}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    stripped = text.lstrip("\ufeff \t\r\n\x0b")
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError as failure:
            _fail(as_json, f"not valid JSON (line {failure.lineno}, column {failure.colno})")
        results, kind = inspect_fhir(document, _facilities(), show_phi=show_phi, crosswalk=crosswalk), "fhir"
    elif stripped.startswith("MSH"):
        results, kind = inspect_hl7(stripped, _facilities(), show_phi=show_phi, crosswalk=crosswalk), "hl7v2"
    else:
        _fail(as_json, "neither HL7 v2 (no MSH segment first) nor FHIR JSON")
    errors = [r for r in results if not r["ok"]]
    if as_json:
        print(json.dumps({"file": str(file), "format": kind, "messages": len(results), "errors": len(errors),
                          "work_items": sum(len(r.get("work_items", ())) for r in results), "results": results}))
    else:
        for result in results:
            if result["ok"]:
                typer.echo(f"message {result['message']}: {result.get('message_type', result['kind'])} "
                           f"id {result['message_id']} -> {result['kind']} visit {result['visit_number'] or '-'}, "
                           f"{len(result['services'])} service(s), {len(result['diagnoses'])} diagnosis(es), "
                           f"{len(result['coverages'])} coverage(s)")
                for warning in result["warnings"]:
                    typer.echo(f"  warning: {warning}")
                for item in result["work_items"]:
                    typer.echo(f"  work item {item['code']} {item['field']}: {item['reason']}")
            else:
                answer = result.get("ack") or result.get("status")
                typer.echo(f"message {result['message']}: {answer} {result.get('field')} {result['code']}: {result['error']}")
        items = sum(len(r.get("work_items", ())) for r in results)
        typer.echo(f"{len(results)} message(s), {len(errors)} refused, {items} work item(s) would open")
    raise typer.Exit(WITH_ERRORS if errors else MAPPED)


def _fail(as_json: bool, reason: str) -> None:
    if as_json:
        print(json.dumps({"error": reason, "unreadable": True}))
    else:
        typer.echo(f"unreadable: {reason}", err=True)
    raise typer.Exit(UNREADABLE)
