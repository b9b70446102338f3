"""Pipeline Funnel: how many messages reach each stage, and where do they drop off?

Stages are Kafka topics in ``pipeline.topics`` order; kafka-exporter's
partition offsets count the messages written to each topic. Topics are
platform-wide, so the namespace and service variables do not apply here.

No query lists the topics: the stage order is recorded in the platform
PrometheusRule (``opsgen:pipeline_stage:info{topic, stage}`` and
``opsgen:pipeline_edge:info{topic, next_topic}``, alerting.pipeline_rules) and
every panel has one query joined against it ``on(topic)``, so the dashboard's
size does not grow with the number of topics.
"""

from __future__ import annotations

from collections.abc import Callable

from opsgen import conventions as conv
from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards.defaults import FULL, Query, Scope, bargauge_panel, timeseries_panel

NAME = "pipeline-funnel"
TITLE = "Pipeline Funnel"
DESCRIPTION = "Messages per Kafka topic in pipeline order, and the drop-off between consecutive stages."

OFFSET = "kafka_topic_partition_current_offset"
TOPIC, STAGE, NEXT = conv.TOPIC_LABEL, conv.STAGE_LABEL, conv.NEXT_TOPIC_LABEL
STAGE_LEGEND = "{{%s}}. {{%s}}" % (STAGE, TOPIC)


def panels(scope: Scope) -> list:
    topics = scope.pipeline_topics
    if not topics:
        return []
    return [messages_per_stage(), messages_in_range(), drop_off()]  # the same panels whatever the topics


def written(over: Callable[[str], str] = q.rate) -> str:
    """Messages written to each topic: the rate (or ``over``) of its partition offsets, summed per topic."""
    return f"sum by ({TOPIC}) ({over(OFFSET)})"


def staged(expr: str) -> str:
    """``expr`` (labelled topic) for the pipeline's topics only, with their ``stage`` label
    (the stage series is 1, so the values are unchanged)."""
    return f"{expr} * on({TOPIC}) group_left({STAGE}) {conv.PIPELINE_STAGE_RECORD}"


def messages_per_stage():
    description = f"Messages per second written to each stage's topic ({OFFSET}), labelled with the stage number."
    return timeseries_panel("Messages per stage", description, "ops", [Query(staged(written()), STAGE_LEGEND)])


def messages_in_range():
    description = "Messages written to each stage's topic over the time range: the funnel, stage by stage."
    return bargauge_panel(
        "Funnel over the time range", description, "short", [Query(staged(written(q.increase)), STAGE_LEGEND)]
    )


def drop_off():
    """1 - rate(next) / rate(this) per edge: each side joined to ``opsgen:pipeline_edge:info``,
    the next stage's rate through ``next_topic`` (label_replace copies topic to it)."""
    edge = conv.PIPELINE_EDGE_RECORD
    this = f"({written()} * on({TOPIC}) group_right {edge})"
    renamed = f'label_replace({written()}, "{NEXT}", "$1", "{TOPIC}", "(.*)")'
    following = f"({renamed} * on({NEXT}) group_right {edge})"
    query = Query(f"1 - ({following} / {this})", "{{%s}} → {{%s}}" % (TOPIC, NEXT))
    description = (
        "Share of a stage's message rate that does not reach the next stage (negative: the next stage gets more)."
    )
    return timeseries_panel("Drop-off between stages", description, "percentunit", [query], span=FULL)
