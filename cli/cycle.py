"""Drive synthetic encounters through a running platform and reconcile the result.

Used by `rcm demo`, `rcm bench` and the end-to-end tests: load the simulator's chargemasters into
coding, send visits as the EHR would (`send_through_feeds`: HL7 v2 ADT^A04 over MLLP, a share as
FHIR R4 Bundles over HTTP, to registration's feed listeners; or `publish`: registration requests
straight onto Kafka), watch the dashboard read model until every encounter is terminal, then
reconcile what the payers paid against what payments posted, to the cent.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import random
import secrets
import shutil
import ssl
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

import httpx
from aiokafka import AIOKafkaProducer

from dashboard.kpis import TERMINAL_STAGES, compute, stage
from shared import topics
from shared.envelope import encode, new_event
from shared.ids import encounter_id_for
from shared.mongo import connect
from shared.money import ZERO, stored_amount
from shared.settings import ServiceSettings
from shared.topics import SERVICES
from cli.processes import FEED_PORTS
from simulator.feed import ErrorRates, InjectedError, SimulatedVisit, registrations
from simulator.population import World, build_world, chargemaster_csv

# Injected errors that registration corrects on the way in, so the scrubber no longer sees them:
# it keeps a diagnosis once per line, whether HL7 FT1-19 or a FHIR ChargeItem.reason repeats it
# (tests/unit/ehr/test_simulator_feeds.py checks that no other injected error changes on the way).
CORRECTED_BY_REGISTRATION = frozenset({InjectedError.REPEATED_DIAGNOSIS_POINTER})
ACCEPTED = frozenset({"AA", "200"})


@dataclass(frozen=True)
class Feeds:
    """Registration's EHR feed listeners, and how the simulated EHR uses them."""

    mllp_host: str
    mllp_port: int
    fhir_url: str
    fhir_tokens: Mapping[str, str] = field(repr=False)  # tenant id -> its facility's bearer token; never printed
    fhir_share: float = 0.15  # of the visits, sent as FHIR Bundles; the rest as HL7 v2
    mllp_connections: int = 16  # measured: twice as fast as 8 in a demo (bigger group commits), 32 no faster
    fhir_connections: int = 4
    mllp_tls: Mapping[str, ssl.SSLContext] | None = field(default=None, repr=False)  # facility -> client context

    @classmethod
    def on_loopback(cls, world: World, *, port_offset: int, fhir_share: float = 0.15) -> tuple[Feeds, dict[str, str]]:
        """Feeds on 127.0.0.1 at the ports of `port_offset`, with a fresh bearer token per facility
        of `world`, and MLLP over mutual TLS with a fresh CA and a client certificate per facility
        (in a temporary directory removed at exit); and the environment registration needs to run
        those listeners."""
        from shared.tls import make_development_pki
        from simulator.hl7_feed import facilities, facilities_json

        if not 0.0 <= fhir_share <= 1.0:
            raise ValueError("the FHIR share is a fraction between 0 and 1")
        table = facilities(world)
        tokens = {key: secrets.token_urlsafe(32) for key in table}
        mllp_port, fhir_port = FEED_PORTS["mllp"] + port_offset, FEED_PORTS["fhir"] + port_offset
        directory = tempfile.mkdtemp(prefix="rcm-feed-pki-")
        atexit.register(shutil.rmtree, directory, True)
        pki = make_development_pki(directory, list(table))
        environment = {
            "RCM_REGISTRATION_MLLP_CERT_FILE": pki.server_cert_file, "RCM_REGISTRATION_MLLP_KEY_FILE": pki.server_key_file,
            "RCM_REGISTRATION_MLLP_CA_FILE": pki.ca_file,
            "RCM_REGISTRATION_MLLP_SENDERS": json.dumps({key: [key] for key in table}),
            "RCM_REGISTRATION_MLLP_HOST": "127.0.0.1", "RCM_REGISTRATION_MLLP_PORT": str(mllp_port),
            "RCM_REGISTRATION_FHIR_HOST": "127.0.0.1", "RCM_REGISTRATION_FHIR_PORT": str(fhir_port),
            "RCM_REGISTRATION_FEED_FACILITIES": facilities_json(world),
            "RCM_REGISTRATION_FHIR_CLIENTS": json.dumps(tokens),
        }
        feeds = cls("127.0.0.1", mllp_port, f"http://127.0.0.1:{fhir_port}/fhir",
                    {facility.tenant_id: tokens[key] for key, facility in table.items()}, fhir_share,
                    mllp_tls={key: pki.client_context(key) for key in table})
        return feeds, environment


@dataclass(frozen=True)
class FeedAnswer:
    """How a feed answered one visit: `answer` is the HL7 MSA-1 code (AA, AE, AR, unacknowledged)
    or the HTTP status ("200", "422", ..., unanswered); `reason` is registration's reason for a
    refusal (a code and a location, never a value)."""

    feed: str  # "hl7v2" | "fhir"
    answer: str
    reason: str | None = None

    @property
    def accepted(self) -> bool:
        return self.answer in ACCEPTED


def fhir_share(count: int, share: float, seed: int) -> frozenset[int]:
    """Which of `count` visits go as FHIR Bundles: each with probability `share`, the same for the same seed."""
    draws = random.Random(f"{seed}|fhir-share")
    return frozenset(index for index in range(count) if draws.random() < share)


@dataclass(frozen=True)
class Progress:
    sent: int
    registered: int
    submitted: int
    terminal: int
    by_stage: dict[str, int]


class Cycle:
    def __init__(self, settings: ServiceSettings, *, seed: int = 2026, error_rates: ErrorRates | None = None,
                 world: World | None = None) -> None:
        self.settings = settings
        self.seed = seed
        self.error_rates = error_rates if error_rates is not None else ErrorRates()
        self.world: World = world if world is not None else build_world(seed)
        self.visits: list[SimulatedVisit] = []
        self.answers: list[FeedAnswer] | None = None  # per visit, when they went through the feeds
        self._mongo = connect(settings.mongo_uri)

    def database(self, service: str):
        return self._mongo[self.settings.database(service)]

    async def close(self) -> None:
        await self._mongo.close()

    async def load_chargemasters(self, coding_url: str, issuer_url: str) -> int:
        """Load every simulated practice's chargemaster through coding's API (as `rcm chargemaster
        load` does), signed in as a demo administrator made at the local issuer."""
        token = await self.operator_token(issuer_url)
        loaded = 0
        async with httpx.AsyncClient(base_url=coding_url, timeout=30.0,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}) as http:
            for practice in self.world.practices:
                response = await http.put(f"/api/chargemasters/{practice.tenant_id}",
                                          content=chargemaster_csv(practice).encode("utf-8"))
                response.raise_for_status()
                loaded += response.json()["loaded"]
        return loaded

    async def operator_token(self, issuer_url: str) -> str:
        """A token of a fresh administrator of every tenant, added to the local issuer's users (as
        `rcm users add` does) with a random password, then signed in."""
        from identity.app import SERVICE as IDENTITY
        from identity.users import Users, new_user

        name, password = f"demo-admin-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
        await Users(self.database(IDENTITY)).add(new_user(name, ["admin"], ["*"]), password,
                                                 datetime.now(timezone.utc))
        async with httpx.AsyncClient(timeout=30.0) as http:
            response = await http.post(f"{issuer_url.rstrip('/')}/token",
                                       data={"grant_type": "password", "username": name, "password": password})
            response.raise_for_status()
            return response.json()["access_token"]

    def make_visits(self, count: int, *, start: date | None = None) -> list[SimulatedVisit]:
        self.visits = registrations(self.world, count, start=start or datetime.now(timezone.utc).date(),
                                    error_rates=self.error_rates, seed=self.seed)
        return self.visits

    @property
    def delivered(self) -> list[SimulatedVisit]:
        """The visits registration took: all that were published, or those a feed accepted."""
        if self.answers is None:
            return self.visits
        return [visit for visit, answer in zip(self.visits, self.answers) if answer.accepted]

    @property
    def encounter_ids(self) -> list[str]:
        return [encounter_id_for(v.tenant_id, v.request.visit.visit_number) for v in self.delivered]

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

    async def send_through_feeds(self, visits: Sequence[SimulatedVisit], feeds: Feeds,
                                 on_sent: Callable[[int], None] | None = None) -> list[FeedAnswer]:
        """Send the visits as the practices' EHRs would: a share (`feeds.fhir_share`, the same
        visits for the same seed) as FHIR R4 transaction Bundles over HTTP, the rest as HL7 v2
        ADT^A04 over MLLP on several connections, both at once. A visit that repeats an earlier
        one (DUPLICATE_VISIT) goes after all others are answered, as a resend would: sent side by
        side, the copy could reach the scrubber first and the original be flagged instead.
        `on_sent(1)` as each visit is answered (ACK or HTTP status); return the answer of each
        visit, also kept for `summary`."""
        # One MSH-7 / Bundle.timestamp for the run: registration keeps a patient's demographics and
        # coverages from the newest message by that time, and each visit here must register with
        # exactly the patient and coverage it carries (some carry an injected error there).
        now = datetime.now(timezone.utc)
        by_fhir = fhir_share(len(visits), feeds.fhir_share, self.seed)
        answers: list[FeedAnswer | None] = [None] * len(visits)
        resent = {n for n, visit in enumerate(visits) if visit.injected is InjectedError.DUPLICATE_VISIT}
        for wave in ([n for n in range(len(visits)) if n not in resent], sorted(resent)):
            await self._send_wave(visits, wave, by_fhir, feeds, now, answers, on_sent)
        self.answers = [answer or FeedAnswer("hl7v2", "unacknowledged") for answer in answers]
        return self.answers

    def begin_sending(self, feeds: Feeds) -> None:
        """Send `self.visits` in parts (`send_part`), e.g. with pauses or faults between them. Each
        visit keeps its place (its message id and feed), so a visit sent again is the same message."""
        self._parts = (feeds, datetime.now(timezone.utc), fhir_share(len(self.visits), feeds.fhir_share, self.seed),
                       [None] * len(self.visits))
        self.answers = [FeedAnswer("hl7v2", "unacknowledged")] * len(self.visits)

    async def send_part(self, indexes: Sequence[int], on_sent: Callable[[int], None] | None = None) -> None:
        """Send the visits at `indexes` (after `begin_sending`); `answers` then holds what each got."""
        feeds, now, by_fhir, answers = self._parts
        await self._send_wave(self.visits, indexes, by_fhir, feeds, now, answers, on_sent)
        self.answers = [answer or FeedAnswer("hl7v2", "unacknowledged") for answer in answers]

    def unanswered(self) -> list[int]:
        """Visits a feed never answered (a listener killed or its database down): an EHR sends them again."""
        return [n for n, answer in enumerate(self.answers or ())
                if answer.answer in ("unacknowledged", "unanswered") or answer.answer.startswith("5")]

    async def _send_wave(self, visits: Sequence[SimulatedVisit], wave: Sequence[int], by_fhir: frozenset[int],
                         feeds: Feeds, now: datetime, answers: list[FeedAnswer | None],
                         on_sent: Callable[[int], None] | None) -> None:
        from simulator.fhir_feed import bundle, post_bundles
        from simulator.hl7_feed import deliver_over_mllp, encode

        hl7_indexes = [n for n in wave if n not in by_fhir]
        fhir_indexes = [n for n in wave if n in by_fhir]

        def recorder(feed: str, indexes: list[int]) -> Callable[[int, str, str | None], None]:
            def record(position: int, answer: str, reason: str | None) -> None:
                answers[indexes[position]] = FeedAnswer(feed, answer, reason)
                if on_sent:
                    on_sent(1)
            return record

        messages = [encode(visits[n].tenant_id, visits[n].request, f"{self.seed}-{n}", now) for n in hl7_indexes]
        bundles = [(feeds.fhir_tokens[visits[n].tenant_id], bundle(visits[n].request, f"sim{self.seed}-{n}", now))
                   for n in fhir_indexes]
        await asyncio.gather(
            deliver_over_mllp(feeds.mllp_host, feeds.mllp_port, messages, connections=feeds.mllp_connections,
                              on_answer=recorder("hl7v2", hl7_indexes), tls=feeds.mllp_tls),
            post_bundles(feeds.fhir_url, bundles, connections=feeds.fhir_connections,
                         on_answer=recorder("fhir", fhir_indexes)))

    def feed_summary(self) -> dict:
        """Visits per feed with the answers they got, the visits a feed refused (by reason), and
        the injected errors registration corrected on the way in; {} when the visits were published."""
        if self.answers is None:
            return {}
        answers = {"hl7v2": Counter(), "fhir": Counter()}
        refused = Counter()
        for answer in self.answers:
            answers[answer.feed][answer.answer] += 1
            if not answer.accepted:
                refused[" ".join(filter(None, (answer.feed, answer.answer, answer.reason)))] += 1
        corrected = Counter(v.injected.value for v in self.delivered if v.injected in CORRECTED_BY_REGISTRATION)
        return {
            "feeds": {name: {"visits": sum(answers[feed].values()), "answers": dict(sorted(answers[feed].items()))}
                      for name, feed in (("hl7v2_over_mllp", "hl7v2"), ("fhir_over_http", "fhir"))},
            "encounters_refused_by_feed": dict(sorted(refused.items())),
            "injected_errors_corrected_by_registration": dict(sorted(corrected.items())),
        }

    async def rows(self, encounter_ids: Sequence[str] | None = None) -> list[dict]:
        query = {"_id": {"$in": list(encounter_ids)}} if encounter_ids is not None else {}
        return await self.database("dashboard")["encounters"].find(query).to_list()

    async def progress(self) -> Progress:
        rows = await self.rows(self.encounter_ids)
        stages = Counter(stage(row) for row in rows)
        return Progress(
            sent=len(self.delivered), registered=len(rows),
            submitted=sum(1 for row in rows if (row.get("submissions") or 0) > 0),
            terminal=sum(n for s, n in stages.items() if s in TERMINAL_STAGES), by_stage=dict(stages))

    async def answers_held(self) -> int:
        """835s not posted yet: held back by a simulated payer (RCM_SIM_LATE_835_RATE), or sent and
        not yet read by payments (posted, parked as unapplied cash, or held for review)."""
        held = await self.database("simulator")["late_answers"].count_documents({})
        if held:
            return held
        sent = set(await self.database("simulator")["remittances"].distinct("_id"))
        if not sent:
            return 0
        posted = set(await self.database("payments")["postings"].distinct("remittance_id"))
        posted |= set(await self.database("payments")["unapplied"].distinct("remittance_id"))
        posted |= set(await self.database("payments")["held_remittances"].distinct("_id"))  # held for review
        return len(sent - posted)

    async def wait_until_terminal(self, *, timeout: float, on_progress: Callable[[Progress], None] | None = None,
                                  settle: float = 1.0, stall: float = 60.0) -> Progress:
        """Poll the read model until every sent encounter is terminal and stays so for `settle`
        seconds (late events, e.g. a denial's work, may still move a claim) with no 835 still held
        back by a simulated payer, the deadline passes,
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
            # A payer may still hold an 835 back, or payments not have posted one yet: the money is not
            # all in until then.
            if progress.terminal >= progress.sent and not await self.answers_held():
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
        # What the payers paid on claims (Σ CLP04): BPR02 also carries PLB amounts (interest added,
        # money taken back), which payments posts to the provider's account, compared apart.
        paid_by_payers = plb_by_payers = ZERO
        async for row in self.database("simulator")["remittances"].find({}):
            paid_by_payers += stored_amount(row.get("claims_paid", row["payment_amount"]))
            plb_by_payers += stored_amount(row["provider_adjustments"]) if "provider_adjustments" in row else ZERO
        plb_posted = ZERO
        async for row in self.database("payments")["provider_account_entries"].find({}, {"amount": 1}):
            plb_posted += stored_amount(row["amount"])
        posted = ZERO
        async for row in self.database("payments")["postings"].find({}, {"paid": 1}):
            posted += stored_amount(row["paid"])
        charged = ZERO
        async for row in self.database("claims")["claims"].find({}, {"billed": 1}):
            charged += stored_amount(row["billed"])
        unapplied = await self.database("payments")["unapplied"].count_documents({})
        return {"total_charged": charged, "total_paid_by_payers": paid_by_payers, "total_posted": posted,
                "posted_minus_paid": posted - paid_by_payers, "unapplied_remittance_claims": unapplied,
                "provider_adjustments_posted_minus_sent": plb_posted - plb_by_payers}

    async def reconciliation(self) -> dict:
        """What the services' reconcilers did (per service, stage and action) and the work items
        still open (per service and stage), read from their databases."""
        reconciled, stalled = {}, {}
        for service in SERVICES:
            database = self.database(service)
            async for row in database["reconciled"].find({}):
                reconciled[f"{service}.{row['stage']}.{row['action']}"] = row["count"]
            open_items = await database["stalled_work"].aggregate([{"$match": {"resolved_at": None}},
                                                                   {"$group": {"_id": "$stage", "n": {"$sum": 1}}}])
            async for row in open_items:
                stalled[f"{service}.{row['_id']}"] = row["n"]
        return {"reconciled": dict(sorted(reconciled.items())), "stalled_work_open": dict(sorted(stalled.items()))}

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
            "encounters_not_terminal": len(self.delivered) - sum(terminal.values()),
            "encounters_not_terminal_by_stage": {s: n for s, n in sorted(kpis.by_stage.items())
                                                 if s not in TERMINAL_STAGES},
            "encounters_with_injected_errors": dict(sorted(injected.items())),
            **self.feed_summary(),
            "initial_denials_by_category": dict(sorted(denied_first.items())),
            **{key: f"{value:.2f}" if isinstance(value, Decimal) else value for key, value in money.items()},
            **await self.reconciliation(),
            "kpis": {key: value for key, value in kpis.as_json().items() if key not in ("by_stage",)},
            "elapsed_seconds": round(elapsed_seconds, 2),
            "encounters_per_second": round(len(self.visits) / elapsed_seconds, 1) if elapsed_seconds else None,
        }
