"""Benchmark of the registration EHR feeds (not a test; `make bench-ehr` or run it by hand).

    python tests/bench/bench_hl7.py --messages 5000 --connections 16 --bundles 500

Starts (or reuses) a local stack in RCM_STACK_DIR (default .rcm/bench-ehr), runs the registration
service in this process with its MLLP listener and FHIR endpoint on loopback, and measures:

- hl7_parse_per_second: python-hl7 alone parsing the same messages (the reference rate);
- mllp_messages_per_second: ADT^A04 messages with charges sent over `--connections` MLLP
  connections, each message waiting for its AA (every AA means stored: one MongoDB transaction);
- fhir_bundles_per_second: transaction Bundles POSTed over HTTP, each answered 200.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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

from cli.stack import Stack, StackSettings  # noqa: E402
from services.registration.app import build_runtime  # noqa: E402
from services.registration.settings import RegistrationSettings  # noqa: E402
from tests.integration.registration.mllp_client import END, START, MllpClient  # noqa: E402
from tests.unit.ehr.samples import FACILITIES, FHIR_TOKEN, a04, fhir_bundle  # noqa: E402


def parse_rate(messages: list[str]) -> float:
    started = time.perf_counter()
    for message in messages:
        hl7.parse(message)
    return len(messages) / (time.perf_counter() - started)


async def mllp_rate(port: int, messages: list[str], connections: int) -> float:
    clients = [await MllpClient.connect(port) for _ in range(connections)]
    shares = [messages[i::connections] for i in range(connections)]

    async def send_all(client: MllpClient, share: list[str]) -> None:
        # The sender's side reads MSA-1 by splitting (python-hl7 parsing each ACK would make the
        # simulated EHR, which shares this process, the bottleneck); the tests parse ACKs fully.
        for message in share:
            await client.send_raw(START + message.encode() + END)
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
    settings = RegistrationSettings(
        kafka_bootstrap=stack.kafka_bootstrap, mongo_uri=stack.mongo_uri, topic_prefix=f"{namespace}.",
        database_prefix=f"{namespace}_", topic_partitions=3, registration_mllp_port=0,
        registration_fhir_port=args.fhir_port, registration_feed_facilities=FACILITIES,
        registration_fhir_clients={"TESTFAC": FHIR_TOKEN}, registration_consumers=False)
    run = uuid.uuid4().hex[:6]
    messages = [a04(f"{run}-{n}", mrn=f"{run}{n}", visit=f"B{run}-{n}") for n in range(args.messages)]
    bundles = [fhir_bundle(f"F{run}-{n}", f"F{run}{n}") for n in range(args.bundles)]
    runtime = build_runtime(settings)
    async with runtime.running():
        warm = [a04(f"w{run}-{n}", mrn=f"w{run}{n}", visit=f"W{run}-{n}") for n in range(50)]
        await mllp_rate(runtime.mllp.port, warm, 5)
        mllp = await mllp_rate(runtime.mllp.port, messages, args.connections)
        fhir = await fhir_rate(args.fhir_port, bundles, args.connections)
    return {"messages": args.messages, "connections": args.connections, "bundles": args.bundles,
            "hl7_parse_per_second": round(parse_rate(messages), 1),
            "mllp_messages_per_second": round(mllp, 1), "fhir_bundles_per_second": round(fhir, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--bundles", type=int, default=500)
    parser.add_argument("--fhir-port", type=int, default=18790)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
