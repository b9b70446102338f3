"""The cdk8s engine as generation uses it: a chart to build into, and cdk8s's
synthesis of a batch of manifests, in one jsii call each.

Importing this module starts nothing. ``start`` chooses the jsii runtime
(kernel.prepare) before cdk8s is first imported, which starts the Node
kernel; the pipeline or the worker calls it once, and the functions here call
it too, so that no import order is a contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opsgen.synth import kernel

if TYPE_CHECKING:
    from cdk8s import Chart


def start() -> None:
    """Choose the jsii runtime of this process (kernel.prepare), then start cdk8s,
    its Node kernel and opsgen's assembly (idempotent)."""
    from opsgen.synth.assembly import json_api_object

    kernel.prepare()
    json_api_object()


def new_chart(name: str) -> Chart:
    """An empty chart of its own app; object names are the explicit ones."""
    start()
    from cdk8s import App, Chart

    return Chart(App(), name, disable_resource_name_hashes=True)


def synth_batch(chart: Chart, manifests: str) -> str:
    """cdk8s's synthesis (``Chart.toJson``) of the ``[id, manifest]`` pairs of the
    JSON array ``manifests``, as one JSON text: added to ``chart`` (which must
    hold no other ApiObject), synthesized and removed again, in one jsii call."""
    from opsgen.synth.assembly import json_api_object

    synthesized: str = json_api_object().synth_batch(chart, manifests)  # type: ignore[attr-defined]  # a jsii class made at run time
    return synthesized
