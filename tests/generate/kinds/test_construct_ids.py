"""Construct ids are unique by construction (issue 14: a-b/c and a/b-c joined to one id)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opsgen.generate.kinds.base import ObjectMeta, construct_id

LABEL = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?", fullmatch=True)
SUBDOMAIN = st.from_regex(r"[a-z0-9]([-a-z0-9.]{0,12}[a-z0-9])?", fullmatch=True)
KINDS = st.sampled_from(
    ["Namespace", "ServiceMonitor", "PodMonitor", "PrometheusRule", "ScaledObject", "HorizontalPodAutoscaler"]
)
METAS = st.builds(ObjectMeta, SUBDOMAIN, st.none() | LABEL)


def test_the_reported_pair_differs():
    assert construct_id("ServiceMonitor", ObjectMeta("c", "a-b")) != construct_id(
        "ServiceMonitor", ObjectMeta("b-c", "a")
    )


@given(KINDS, METAS, KINDS, METAS)
def test_distinct_objects_have_distinct_ids(kind_a, meta_a, kind_b, meta_b):
    if (kind_a, meta_a.namespace, meta_a.name) != (kind_b, meta_b.namespace, meta_b.name):
        assert construct_id(kind_a, meta_a) != construct_id(kind_b, meta_b)


def test_services_whose_names_joined_to_one_id_synthesize(tmp_path, run):
    from tests.conftest import VALID

    catalogue = tmp_path / "services.yaml"
    extra = "".join(
        f"  - {{name: {n}, namespace: {ns}, team: core, metrics: {{port: http}}}}\n"
        for ns, n in (("a-b", "c"), ("a", "b-c"))
    )
    catalogue.write_text(VALID + extra, encoding="utf-8")
    code, out, err = run("synth", "-c", catalogue, "-o", tmp_path / "dist")
    assert code == 0, err
    assert (tmp_path / "dist" / "a-b" / "c.yaml").is_file() and (tmp_path / "dist" / "a" / "b-c.yaml").is_file()
