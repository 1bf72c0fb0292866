"""Benchmark of the registration EHR feeds (not a test; `make bench-ehr` or run it by hand).

    python tests/bench/bench_hl7.py --messages 5000 --connections 16 64 --bundles 500

Starts (or reuses) a local stack in RCM_STACK_DIR (default .rcm/bench-ehr) and runs registration as
its own process, as deployed: a feed gateway (RCM_REGISTRATION_CONSUMERS=false: MLLP listener, FHIR
endpoint and outbox relay, no Kafka consumers) on loopback. This process plays the EHRs and measures:

- hl7_parse_per_second: python-hl7 alone parsing the same messages, in this process (the issue's
  reference rate: "the rate python-hl7 alone parses on this machine");
- hl7_map_per_second: our own reading and mapping of the same messages, in this process;
- mllp_messages_per_second: ADT^A04 messages with charges sent over each `--connections` count of
  MLLP connections (EHR interfaces), each message waiting for its AA, and every AA meaning the
  message is stored (MongoDB transactions, group-committed across connections);
- fhir_bundles_per_second: transaction Bundles POSTed over HTTP, each answered 200.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

os.environ.setdefault("RCM_STACK_DIR", ".rcm/bench-ehr")
os.environ.setdefault("RCM_STACK_MONGO_PORT", "27617")
os.environ.setdefault("RCM_STACK_KAFKA_PORT", "19692")

import hl7  # noqa: E402
import httpx  # noqa: E402

from cli.processes import Fleet  # noqa: E402
from cli.stack import Stack, StackSettings  # noqa: E402
from services.registration.hl7.mapping import map_message  # noqa: E402
from shared.mllp import END, frame  # noqa: E402
from tests.integration.registration.mllp_client import MllpClient  # noqa: E402
from tests.support.feed_tls import client_tls, mllp_tls_settings  # noqa: E402
from tests.unit.ehr.samples import FACILITIES, FHIR_TOKEN, a04, fhir_bundle  # noqa: E402


def parse_rate(messages: list[str]) -> float:
    started = time.perf_counter()
    for message in messages:
        hl7.parse(message)
    return len(messages) / (time.perf_counter() - started)


def map_rate(messages: list[str]) -> float:
    started = time.perf_counter()
    for message in messages:
        map_message(message, FACILITIES)
    return len(messages) / (time.perf_counter() - started)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def mllp_rate(port: int, messages: list[str], connections: int) -> float:
    clients = [await MllpClient.connect(port, tls=client_tls("TESTFAC")) for _ in range(connections)]
    shares = [messages[i::connections] for i in range(connections)]

    async def send_all(client: MllpClient, share: list[str]) -> None:
        # The sender's side reads MSA-1 by splitting (python-hl7 parsing each ACK would make the
        # simulated EHR, which shares this process, the bottleneck); the tests parse ACKs fully.
        for message in share:
            await client.send_raw(frame(message))
            reply = await asyncio.wait_for(client.reader.readuntil(END), 60)
            code = reply.split(b"\r")[1].split(b"|")[1]
            if code != b"AA":
                raise RuntimeError(f"message refused: {code.decode()}")

    started = time.perf_counter()
    await asyncio.gather(*(send_all(c, s) for c, s in zip(clients, shares)))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.close()
    return len(messages) / elapsed


async def fhir_rate(port: int, bundles: list[dict], connections: int) -> float:
    headers = {"Authorization": f"Bearer {FHIR_TOKEN}", "Content-Type": "application/fhir+json"}
    bodies = [json.dumps(b) for b in bundles]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as http:
        async def post_all(share: list[str]) -> None:
            for body in share:
                response = await http.post("/fhir", content=body)
                if response.status_code != 200:
                    raise RuntimeError(f"bundle refused: {response.status_code}")

        started = time.perf_counter()
        await asyncio.gather(*(post_all(bodies[i::connections]) for i in range(connections)))
        return len(bodies) / (time.perf_counter() - started)


async def main(args: argparse.Namespace) -> dict:
    stack = Stack(StackSettings())
    was_running = all(stack.status().values())
    stack.up()
    try:
        return await _measure(stack, args)
    finally:
        if not was_running:
            stack.down()  # a benchmark leaves no servers behind that it started


async def _measure(stack: Stack, args: argparse.Namespace) -> dict:
    namespace = "b" + uuid.uuid4().hex[:8]
    mllp_port, fhir_port = free_port(), free_port()
    tls = mllp_tls_settings()  # the listener speaks mutual TLS, as in production
    environment = {
        **{f"RCM_{name.upper()}": value if isinstance(value, str) else json.dumps(value) for name, value in tls.items()},
        **stack.environment(), "RCM_TOPIC_PREFIX": f"{namespace}.", "RCM_DATABASE_PREFIX": f"{namespace}_",
        "RCM_TOPIC_PARTITIONS": "3", "RCM_REGISTRATION_CONSUMERS": "false",
        "RCM_REGISTRATION_MLLP_PORT": str(mllp_port), "RCM_REGISTRATION_FHIR_PORT": str(fhir_port),
        "RCM_REGISTRATION_FEED_FACILITIES": json.dumps(
            {key: facility.model_dump(mode="json", exclude_none=True) for key, facility in FACILITIES.items()}),
        "RCM_REGISTRATION_FHIR_CLIENTS": json.dumps({"TESTFAC": FHIR_TOKEN}),
    }
    fleet = Fleet(environment=environment, log_dir=Path(os.environ["RCM_STACK_DIR"]) / "logs", port_offset=args.port_offset)
    run = uuid.uuid4().hex[:6]
    batches = {c: [a04(f"{run}-{c}-{n}", mrn=f"{run}{c}x{n}", visit=f"B{run}-{c}-{n}") for n in range(args.messages)]
               for c in args.connections}
    bundles = [fhir_bundle(f"F{run}-{n}", f"F{run}{n}") for n in range(args.bundles)]
    fleet.start_all(("registration",))
    try:
        warm = [a04(f"w{run}-{n}", mrn=f"w{run}{n}", visit=f"W{run}-{n}") for n in range(200)]
        await mllp_rate(mllp_port, warm, 8)
        mllp = {str(c): round(await mllp_rate(mllp_port, batches[c], c), 1) for c in args.connections}
        fhir = await fhir_rate(fhir_port, bundles, 16)
    finally:
        fleet.stop_all()
    sample = batches[args.connections[0]]
    return {"messages": args.messages, "bundles": args.bundles,
            "hl7_parse_per_second": round(parse_rate(sample), 1), "hl7_map_per_second": round(map_rate(sample), 1),
            "mllp_messages_per_second_by_connections": mllp, "fhir_bundles_per_second": round(fhir, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--bundles", type=int, default=500)
    parser.add_argument("--port-offset", type=int, default=700, help="HTTP port offset of the registration process")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
