"""JsonApiObject: a cdk8s ApiObject made from its whole manifest in one jsii call.

cdk8s's ``ApiObjectProps`` takes any further attributes (``spec``, ``data``)
in TypeScript, but jsii drops them for Python (cdk8s-team/cdk8s-core#1297);
the documented way out, a JSON patch, costs three jsii round trips per object
(create, ``JsonPatch.add``, ``add_json_patch``) and walks the body twice on
the Python side. JsonApiObject, from the small jsii assembly in ``jsii/``
beside this file, takes the manifest as one JSON string instead: one round
trip, and a body that jsii carries as a single string. The object is
cdk8s's own ApiObject from then on (metadata, chart labels, JSON patches,
resolution, synthesis; below the top level the manifest keeps its own key
order, see jsii/index.js).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import cdk8s  # the package's __init__ has chosen the runtime (bridge.prepare)
import jsii
from constructs import Construct

from opsgen.output import bridge

ASSEMBLY = Path(__file__).with_name("jsii")
bridge.load_assembly(ASSEMBLY)


class JsonApiObject(cdk8s.ApiObject, metaclass=jsii.JSIIMeta, jsii_type="opsgen-jsii.JsonApiObject"):
    """manifest: the whole object: ``apiVersion``, ``kind``, ``metadata``
    (with ``name``) and the rest, JSON values only."""

    def __init__(self, scope: Construct, id: str, manifest: Mapping[str, Any]) -> None:
        jsii.create(self.__class__, self, [scope, id, to_json_text(manifest)])

    @classmethod
    def add_all(cls, scope: Construct, manifests: str) -> int:
        """One JsonApiObject per ``[id, manifest]`` pair of the JSON array
        ``manifests``, added to ``scope`` in order, in one jsii call."""
        return jsii.sinvoke(cls, "addAll", [scope, manifests])

    @classmethod
    def synth_json(cls, chart: cdk8s.Chart) -> str:
        """``chart.to_json()`` as one JSON string: the same values, without jsii
        walking each of them on its way to Python."""
        return jsii.sinvoke(cls, "synthJson", [chart])

    @classmethod
    def synth_batch(cls, chart: cdk8s.Chart, manifests: str) -> str:
        """The ``[id, manifest]`` pairs of the JSON array ``manifests`` added to
        ``chart`` (which holds no other ApiObject), synthesized by cdk8s
        (``chart.to_json()``) as one JSON string, and removed again: one jsii call."""
        return jsii.sinvoke(cls, "synthBatch", [chart, manifests])


def to_json_text(value: Any) -> str:
    """JSON as the assembly reads it: JSON values only (no NaN, no sets)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
