"""Pipeline Funnel: how many messages reach each stage, and where do they drop off?

Stages are Kafka topics in ``pipeline.topics`` order; kafka-exporter's
partition offsets count the messages written to each topic. Topics are
platform-wide, so the namespace and service variables do not apply here.
"""
from __future__ import annotations

from typing import Callable, Sequence

from . import queries as q
from .defaults import FULL, Query, Scope, bargauge_panel, timeseries_panel

NAME = "pipeline-funnel"
TITLE = "Pipeline Funnel"
DESCRIPTION = "Messages per Kafka topic in pipeline order, and the drop-off between consecutive stages."

OFFSET = "kafka_topic_partition_current_offset"


def panels(scope: Scope) -> list:
    topics = scope.pipeline_topics
    if not topics:
        return []
    out = [messages_per_stage(topics), messages_in_range(topics)]
    return out + [drop_off(topics)] if len(topics) > 1 else out


def _written(topic: str, over: Callable[[str], str] = q.rate) -> str:
    """Messages written to ``topic``: the rate (or ``over``) of its partition offsets, summed."""
    series = q.selector(OFFSET, q.equals("topic", topic))
    return f"sum({over(series)})"


def _stage(index: int, topic: str) -> str:
    return f"{index + 1}. {topic}"


def messages_per_stage(topics: Sequence[str]):
    queries = [Query(_written(t), _stage(i, t)) for i, t in enumerate(topics)]
    description = f"Messages per second written to each stage's topic ({OFFSET}), in pipeline order."
    return timeseries_panel("Messages per stage", description, "ops", queries)


def messages_in_range(topics: Sequence[str]):
    queries = [Query(_written(t, q.increase), _stage(i, t)) for i, t in enumerate(topics)]
    description = "Messages written to each stage's topic over the time range: the funnel, top to bottom."
    return bargauge_panel("Funnel over the time range", description, "short", queries)


def drop_off(topics: Sequence[str]):
    pairs = list(zip(topics, topics[1:]))
    queries = [Query(f"1 - ({_written(b)} / {_written(a)})", f"{a} → {b}") for a, b in pairs]
    description = "Share of a stage's message rate that does not reach the next stage (negative: the next stage gets more)."
    return timeseries_panel("Drop-off between stages", description, "percentunit", queries, span=FULL)
