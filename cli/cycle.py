"""Drive synthetic encounters through a running platform and reconcile the result.

Used by `rcm demo`, `rcm bench` and the end-to-end tests: load the simulator's chargemasters into
coding, publish visits as the EHR feed, watch the dashboard read model until every encounter is
terminal, then reconcile what the payers paid against what payments posted, to the cent.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from aiokafka import AIOKafkaProducer

from dashboard.kpis import TERMINAL_STAGES, compute, stage
from services.coding.chargemaster import parse_chargemaster_csv
from services.coding.repository import CodingRepository
from shared import topics
from shared.envelope import encode, new_event
from shared.ids import encounter_id_for
from shared.mongo import connect
from shared.money import ZERO, stored_amount
from shared.phi import PhiCipher
from shared.settings import ServiceSettings
from simulator.feed import ErrorRates, SimulatedVisit, registrations
from simulator.population import World, build_world, chargemaster_csv


@dataclass(frozen=True)
class Progress:
    sent: int
    registered: int
    submitted: int
    terminal: int
    by_stage: dict[str, int]


class Cycle:
    def __init__(self, settings: ServiceSettings, *, seed: int = 2026, error_rates: ErrorRates | None = None) -> None:
        self.settings = settings
        self.seed = seed
        self.error_rates = error_rates if error_rates is not None else ErrorRates()
        self.world: World = build_world(seed)
        self.visits: list[SimulatedVisit] = []
        self._mongo = connect(settings.mongo_uri)

    def database(self, service: str):
        return self._mongo[self.settings.database(service)]

    async def close(self) -> None:
        await self._mongo.close()

    async def load_chargemasters(self) -> int:
        """Load every simulated practice's chargemaster into coding (as `rcm chargemaster load` does)."""
        coding = CodingRepository(self.database("coding"), PhiCipher(self.settings.phi_key.get_secret_value()))
        await CodingRepository.ensure_indexes(self.database("coding"))
        loaded = 0
        for practice in self.world.practices:
            loaded += await coding.load_chargemaster(practice.tenant_id, parse_chargemaster_csv(chargemaster_csv(practice)))
        return loaded

    def make_visits(self, count: int, *, start: date | None = None) -> list[SimulatedVisit]:
        self.visits = registrations(self.world, count, start=start or datetime.now(timezone.utc).date(),
                                    error_rates=self.error_rates, seed=self.seed)
        return self.visits

    @property
    def encounter_ids(self) -> list[str]:
        return [encounter_id_for(v.tenant_id, v.request.visit.visit_number) for v in self.visits]

    async def publish(self, visits: Sequence[SimulatedVisit], on_sent: Callable[[int], None] | None = None) -> None:
        """Send the visits as the EHR feed would: registration requests on the registration topic."""
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap, enable_idempotence=True,
                                    linger_ms=5, max_batch_size=1 << 20, max_request_size=8 << 20)
        await producer.start()
        try:
            now = datetime.now(timezone.utc)
            name = self.settings.topic_name(topics.REGISTRATION_REQUESTED.name)
            for start in range(0, len(visits), 200):
                chunk = visits[start:start + 200]
                sends = []
                for visit in chunk:
                    event = new_event(topics.REGISTRATION_REQUESTED, visit.request, producer="ehr-feed-simulator",
                                      now=now, tenant_id=visit.tenant_id,
                                      correlation_id=encounter_id_for(visit.tenant_id, visit.request.visit.visit_number))
                    sends.append(await producer.send(name, encode(event), key=visit.request.source_message_id.encode()))
                await asyncio.gather(*sends)
                if on_sent:
                    on_sent(len(chunk))
        finally:
            await producer.stop()

    async def publish_over_mllp(self, visits: Sequence[SimulatedVisit], host: str, port: int, *,
                                connections: int = 8) -> dict[str, int]:
        """Send the visits as HL7 v2 ADT^A04 over MLLP to registration's listener (which must run with
        RCM_REGISTRATION_MLLP_PORT=port and RCM_REGISTRATION_FEED_FACILITIES=facilities_json(world));
        return the count of each ACK code."""
        from simulator.hl7_feed import encode, send_over_mllp

        now = datetime.now(timezone.utc)
        messages = [encode(v.tenant_id, v.request, f"{self.seed}-{n}", now) for n, v in enumerate(visits)]
        return await send_over_mllp(host, port, messages, connections=connections)

    async def rows(self, encounter_ids: Sequence[str] | None = None) -> list[dict]:
        query = {"_id": {"$in": list(encounter_ids)}} if encounter_ids is not None else {}
        return await self.database("dashboard")["encounters"].find(query).to_list()

    async def progress(self) -> Progress:
        rows = await self.rows(self.encounter_ids)
        stages = Counter(stage(row) for row in rows)
        return Progress(
            sent=len(self.visits), registered=len(rows),
            submitted=sum(1 for row in rows if (row.get("submissions") or 0) > 0),
            terminal=sum(n for s, n in stages.items() if s in TERMINAL_STAGES), by_stage=dict(stages))

    async def wait_until_terminal(self, *, timeout: float, on_progress: Callable[[Progress], None] | None = None,
                                  settle: float = 1.0, stall: float = 60.0) -> Progress:
        """Poll the read model until every sent encounter is terminal and stays so for `settle`
        seconds (late events, e.g. a denial's work, may still move a claim), the deadline passes,
        or nothing has moved for `stall` seconds."""
        deadline = time.monotonic() + timeout
        done_since: float | None = None
        last_change, last_seen = time.monotonic(), None
        while True:
            progress = await self.progress()
            if on_progress:
                on_progress(progress)
            if progress.by_stage != last_seen:
                last_change, last_seen = time.monotonic(), progress.by_stage
            elif time.monotonic() - last_change > stall:
                return progress
            if progress.terminal >= progress.sent:
                done_since = done_since or time.monotonic()
                if time.monotonic() - done_since >= settle:
                    return progress
            else:
                done_since = None
            if time.monotonic() > deadline:
                return progress
            await asyncio.sleep(0.25)

    async def reconcile(self) -> dict:
        """What the payers paid against what payments posted, and the charges, to the cent."""
        paid_by_payers = ZERO
        async for row in self.database("simulator")["remittances"].find({}, {"payment_amount": 1}):
            paid_by_payers += stored_amount(row["payment_amount"])
        posted = ZERO
        async for row in self.database("payments")["postings"].find({}, {"paid": 1}):
            posted += stored_amount(row["paid"])
        charged = ZERO
        async for row in self.database("claims")["claims"].find({}, {"billed": 1}):
            charged += stored_amount(row["billed"])
        unapplied = await self.database("payments")["unapplied"].count_documents({})
        return {"total_charged": charged, "total_paid_by_payers": paid_by_payers, "total_posted": posted,
                "posted_minus_paid": posted - paid_by_payers, "unapplied_remittance_claims": unapplied}

    async def summary(self, elapsed_seconds: float) -> dict:
        rows = await self.rows(self.encounter_ids)
        kpis = compute(rows)
        money = await self.reconcile()
        terminal = {s: n for s, n in kpis.by_stage.items() if s in TERMINAL_STAGES}
        injected = Counter(v.injected.value for v in self.visits if v.injected is not None)
        denied_first = Counter((row.get("denial_categories") or ["uncategorized"])[0] for row in rows
                               if row.get("first_adjudication") in ("denied", "partially_paid"))
        return {
            "encounters_sent": len(self.visits),
            "encounters_by_terminal_state": dict(sorted(terminal.items())),
            "encounters_not_terminal": len(self.visits) - sum(terminal.values()),
            "encounters_with_injected_errors": dict(sorted(injected.items())),
            "initial_denials_by_category": dict(sorted(denied_first.items())),
            **{key: f"{value:.2f}" if isinstance(value, Decimal) else value for key, value in money.items()},
            "kpis": {key: value for key, value in kpis.as_json().items() if key not in ("by_stage",)},
            "elapsed_seconds": round(elapsed_seconds, 2),
            "encounters_per_second": round(len(self.visits) / elapsed_seconds, 1) if elapsed_seconds else None,
        }
