"""AsyncAPI 3.0 documents of every consuming process, and the topic map, generated from the code.

    .venv/bin/python docs/asyncapi/generate.py          # rewrite docs/asyncapi/*.json and topics.md
    .venv/bin/python docs/asyncapi/generate.py --check  # exit 1 if they differ from the code

What each process receives comes from FastStream's own AsyncAPI document of the process's broker
(its subscribers, as `build_runtime` wires them). Our subscribers take raw batches, so FastStream
sees no payload type; the topic's envelope schema (pydantic, shared/topics.py) is put in instead.
What each process sends is its declaration in shared/topics.py (EMITS, enforced by the outbox),
plus its dead-letter topic. tests/unit/docs/test_asyncapi_drift.py fails when the committed files drift.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from faststream.specification import AsyncAPI
from pydantic.json_schema import models_json_schema

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cli.generated import write_or_check  # noqa: E402
from shared import topics  # noqa: E402
from shared.envelope import Envelope  # noqa: E402
from shared.settings import ServiceSettings  # noqa: E402

OUT = Path(__file__).resolve().parent
# process -> module with build_runtime (what it sends is declared in shared/topics.py EMITS)
PROCESSES: dict[str, str] = {
    **{name: f"services.{name}.app" for name in topics.SERVICES},
    "dashboard": "dashboard.app",
    "simulator": "simulator.partners",
}
SERVER = {"local": {"host": "127.0.0.1:19092", "protocol": "kafka",
                    "description": "The local stack; elsewhere RCM_KAFKA_BOOTSTRAP (e.g. Strimzi)."}}


def _schema_name(topic: topics.Topic) -> str:
    return f"{topic.payload.__name__}Event"


def _schemas(used: list[topics.Topic]) -> dict:
    # One schema per payload model: two topics may carry the same payload (the X12 files).
    unique = list({topic.payload: topic for topic in used}.values())
    models = [(Envelope[topic.payload], "validation") for topic in unique]
    refs, schema = models_json_schema(models, ref_template="#/components/schemas/{model}")
    definitions = dict(schema.get("$defs", {}))
    for topic, (_, mode) in zip(unique, models, strict=True):
        ref = refs[(Envelope[topic.payload], mode)]["$ref"].rsplit("/", 1)[1]
        definitions[_schema_name(topic)] = definitions.pop(ref)
        definitions[_schema_name(topic)]["title"] = _schema_name(topic)
    return definitions


def _message(topic: topics.Topic) -> dict:
    return {
        "name": topic.event_type, "title": topic.event_type, "summary": topic.description,
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{_schema_name(topic)}"},
        "bindings": {"kafka": {"key": {"type": "string", "description": f"payload.{topic.key}: an opaque id, "
                                                                         "never PHI"}, "bindingVersion": "0.5.0"}},
    }


def _channel(topic: topics.Topic, description: str | None = None) -> dict:
    return {
        "address": topic.name, "description": description or topic.description,
        "messages": {topic.event_type: {"$ref": f"#/components/messages/{topic.event_type}"}},
        "bindings": {"kafka": {"topic": topic.name, "partitions": topic.partitions,
                               "topicConfiguration": {"retention.ms": topic.retention_ms},
                               "bindingVersion": "0.5.0"}},
    }


def document(process: str) -> dict:
    """The AsyncAPI 3.0 document of one process."""
    module = PROCESSES[process]
    runtime = importlib.import_module(module).build_runtime(ServiceSettings(topic_prefix=""))
    faststream = json.loads(AsyncAPI(runtime.broker, title=process, schema_version="3.0.0")
                            .to_specification().to_json())
    channels: dict = {}
    operations: dict = {}
    used: dict[str, topics.Topic] = {}
    for name, channel in faststream["channels"].items():
        topic = topics.by_name(channel["address"])
        used[topic.name] = topic
        channels[name] = _channel(topic, channel.get("description"))
        operations[name] = {"action": "receive", "channel": {"$ref": f"#/channels/{name}"},
                            "summary": f"{process} consumes {topic.name} in batches (consumer group "
                                       f"{name}; exactly-once effects through its inbox)",
                            "messages": [{"$ref": f"#/channels/{name}/messages/{topic.event_type}"}]}
    for topic in [*topics.emits(process), topics.dead_letter_topic(process)]:
        used[topic.name] = topic
        name = f"{process}.send.{topic.event_type}"
        channels[name] = _channel(topic)
        operations[name] = {"action": "send", "channel": {"$ref": f"#/channels/{name}"},
                            "summary": f"{process} publishes {topic.name} from its outbox",
                            "messages": [{"$ref": f"#/channels/{name}/messages/{topic.event_type}"}]}
    ordered = sorted(used.values(), key=lambda t: t.name)
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"rcm {process}", "version": "1",
                 "description": f"Topics the {process} process consumes and publishes. Generated by "
                                "docs/asyncapi/generate.py; do not edit."},
        "defaultContentType": "application/json",
        "servers": SERVER,
        "channels": channels,
        "operations": operations,
        "components": {"messages": {t.event_type: _message(t) for t in ordered}, "schemas": _schemas(ordered)},
    }


def topic_map(documents: dict[str, dict]) -> str:
    producers: dict[str, set[str]] = {}
    consumers: dict[str, set[str]] = {}
    for process, doc in documents.items():
        for operation in doc["operations"].values():
            address = doc["channels"][operation["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
            (producers if operation["action"] == "send" else consumers).setdefault(address, set()).add(process)
    lines = ["# Topic map", "", "Generated by `docs/asyncapi/generate.py` from the FastStream apps and "
             "`shared/topics.py`; do not edit. One AsyncAPI 3.0 document per process: "
             + ", ".join(f"[{p}]({p}.json)" for p in documents) + ".", "",
             "| topic | published by | consumed by | key | partitions | retention |", "|---|---|---|---|---|---|"]
    outside = {topics.REGISTRATION_REQUESTED.name: "EHR feed (`rcm demo`: the feed simulator)",
               **{t.name: "`rcm dlq list` / `replay`" for t in topics.DEAD_LETTERS}}
    for topic in topics.ALL:
        producer = ", ".join(sorted(producers.get(topic.name, ()))) or outside.get(topic.name, "—")
        consumer = ", ".join(sorted(consumers.get(topic.name, ()))) or outside.get(topic.name, "—")
        lines.append(f"| `{topic.name}` | {producer} | {consumer} | `{topic.key}` | "
                     f"{topic.partitions} | {topic.retention_days} d |")
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    documents = {process: document(process) for process in PROCESSES}
    files = {OUT / f"{process}.json": json.dumps(doc, indent=2, sort_keys=True) + "\n"
             for process, doc in documents.items()}
    files[OUT / "topics.md"] = topic_map(documents)
    return files


def main() -> int:
    return write_or_check(outputs, description=__doc__.split("\n\n")[0], root=ROOT, command="docs/asyncapi/generate.py")


if __name__ == "__main__":
    sys.exit(main())
