"""lib.synth: a chart's objects cross to cdk8s in one jsii call, and its
synthesis comes back in one, whatever the number of objects. lib.take_pending
and lib.synth_taken: the same a batch at a time, in one call per batch, the
chart left empty after each."""

from __future__ import annotations

import json
import math

import pytest
from cdk8s import JsonPatch

from opsgen.generate.kinds import Manifest, ObjectMeta, created, pending_size, take_pending
from tests.support.chart import synth, synth_taken
from tests.synth.test_assembly import Calls


def _thing(chart, i: int) -> Manifest:
    meta = ObjectMeta(f"thing-{i}", "ns", {"b": "2", "a": "1"})
    return Manifest(chart, api_version="example.com/v1", kind="Thing", meta=meta, body={"spec": {"z": i, "a": [3, 1]}})


@pytest.mark.parametrize("count", [1, 50])
def test_a_chart_costs_two_jsii_calls_whatever_its_size(chart, monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    calls = Calls(monkeypatch)
    for i in range(count):
        _thing(chart, i)
    assert calls.count == 0  # nothing crosses before synthesis
    docs = synth(chart)
    assert calls.count == 2  # addAll, synthJson
    assert [d["metadata"]["name"] for d in docs] == [f"thing-{i}" for i in range(count)]
    assert created(chart) == [("Thing", "ns", f"thing-{i}") for i in range(count)]


def test_objects_are_cdk8s_api_objects_of_the_chart(chart) -> None:
    """Chart labels apply and cdk8s keeps the body's key order (metadata sorted), as with JsonApiObject."""
    _thing(chart, 7)
    (doc,) = synth(chart)
    assert list(doc["spec"]) == ["z", "a"]
    assert list(doc["metadata"]["labels"]) == ["a", "b"]
    assert [child.node.id for child in chart.node.children] == ["Thing_ns_thing-7"]


def test_synth_twice_adds_nothing_twice(chart) -> None:
    _thing(chart, 1)
    assert synth(chart) == synth(chart)
    chart.node.children[0].add_json_patch(JsonPatch.add("/spec/extra", "patched"))  # still cdk8s's own object
    assert synth(chart)[0]["spec"]["extra"] == "patched"


def test_a_body_that_is_not_json_is_refused_at_construction(chart) -> None:
    with pytest.raises(ValueError):
        Manifest(chart, api_version="v1", kind="ConfigMap", meta=ObjectMeta("c"), body={"data": {"x": math.nan}})


def test_a_batch_costs_one_jsii_call_and_leaves_the_chart_empty(chart, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    for i in range(3):
        _thing(chart, i)
    assert pending_size(chart) > 0
    taken = take_pending(chart)
    assert (pending_size(chart), created(chart), calls.count) == (0, [], 0)  # taken out, nothing crossed yet
    assert taken.identities == tuple(("Thing", "ns", f"thing-{i}") for i in range(3))
    docs = json.loads(synth_taken(chart, taken))
    assert calls.count == 1  # synthBatch
    assert [d["metadata"]["name"] for d in docs] == ["thing-0", "thing-1", "thing-2"]
    assert chart.node.children == []


def test_batches_synthesize_as_the_whole_chart_does(chart) -> None:
    """Each batch comes back alone (the previous one was removed), and
    together they are what lib.synth gives for the same objects at once."""
    batches = []
    for first in (0, 2):
        for i in range(first, first + 2):
            _thing(chart, i)
        batches.append(json.loads(synth_taken(chart, take_pending(chart))))
    for i in range(4):
        _thing(chart, i)
    assert [len(b) for b in batches] == [2, 2]
    assert batches[0] + batches[1] == synth(chart)


def test_an_empty_batch_costs_no_call(chart, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    assert synth_taken(chart, take_pending(chart)) == "[]"
    assert calls.count == 0
