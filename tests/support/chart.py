"""Construct tests' synthesis of a whole chart: its Manifests added as ApiObjects
(kept, unlike engine.synth_batch) and read back with cdk8s's Chart.toJson."""

from __future__ import annotations

import json
from typing import Any

import jsii

from opsgen.generate.kinds.base import _pending
from opsgen.synth import engine
from opsgen.synth.assembly import json_api_object


def new_chart(name: str = "test") -> Any:
    return engine.new_chart(name)


def synth(chart: Any) -> list[dict[str, Any]]:
    """cdk8s's synthesis of ``chart``, its pending Manifests added first (in one jsii call)."""
    cls = json_api_object()
    pending = _pending(chart)  # the queue only: created() keeps listing them, as for a real synthesis
    if pending:
        jsii.sinvoke(cls, "addAll", [chart, "[" + ",".join(pending) + "]"])
        pending.clear()
    return json.loads(jsii.sinvoke(cls, "synthJson", [chart]))


def synth_taken(chart: Any, taken: Any) -> str:
    return engine.synth_batch(chart, taken.manifests) if taken.identities else "[]"
