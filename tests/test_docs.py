"""What the documents say about the output and the files a user has, kept true."""

from __future__ import annotations

import json
import re

import yaml

from tests.conftest import REPO

BUNDLED_PROD = REPO / "tests" / "golden" / "bundled" / "expected" / "prod" / "monitoring"


def dashboard_titles() -> list[str]:
    titles = []
    for path in sorted(BUNDLED_PROD.glob("_dashboard-*.yaml")):
        (body,) = yaml.safe_load(path.read_text(encoding="utf-8"))["data"].values()
        titles.append(json.loads(body)["title"])
    return titles


def test_docs_ops_md_counts_and_names_every_dashboard():
    text = " ".join((REPO / "docs" / "ops.md").read_text(encoding="utf-8").split())
    titles = dashboard_titles()
    named = re.search(r"The folder holds (\d+) dashboards: (.+?) \(uids", text)
    assert named, "docs/ops.md: 'The folder holds N dashboards: A, B and C (uids'"
    listed = re.split(r", | and ", named.group(2))
    assert (int(named.group(1)), sorted(listed)) == (len(titles), sorted(titles))


def test_the_readme_cites_only_documents_a_user_has():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "catalogue-spec.md" not in readme
    for target in re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)(?:#[\w-]*)?\)", readme):
        assert (REPO / target).is_file(), target
