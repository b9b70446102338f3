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

import functools
import json
from pathlib import Path
from typing import Any

from opsgen.synth import kernel

ASSEMBLY = Path(__file__).with_name("jsii")


@functools.cache
def json_api_object() -> type:
    """The JsonApiObject class, its assembly loaded into this process's kernel on
    first use; importing cdk8s starts the kernel, so the runtime is chosen first."""
    kernel.prepare()
    import cdk8s
    import jsii

    kernel.load_assembly(ASSEMBLY)

    class JsonApiObject(cdk8s.ApiObject, metaclass=jsii.JSIIMeta, jsii_type="opsgen-jsii.JsonApiObject"):
        """manifest: the whole object: ``apiVersion``, ``kind``, ``metadata``
        (with ``name``) and the rest, JSON values only."""

        def __init__(self, scope: Any, id: str, manifest: dict[str, Any]) -> None:
            jsii.create(self.__class__, self, [scope, id, to_json_text(manifest)])

        @classmethod
        def synth_batch(cls, chart: cdk8s.Chart, manifests: str) -> str:
            """The ``[id, manifest]`` pairs of the JSON array ``manifests`` added to
            ``chart`` (which holds no other ApiObject), synthesized by cdk8s
            (``chart.to_json()``) as one JSON string, and removed again: one jsii call."""
            return jsii.sinvoke(cls, "synthBatch", [chart, manifests])

    return JsonApiObject


def to_json_text(value: Any) -> str:
    """JSON as the assembly reads it: JSON values only (no NaN, no sets)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
