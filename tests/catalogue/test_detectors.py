"""detectors.py, the copy of detect-secrets' detectors that lets validate import
detect-secrets only for a string that could be a credential: it is current, and
findings are what detect-secrets itself reports."""

from __future__ import annotations

import math
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsgen.catalogue import detectors, secrets
from tests.conftest import VALID
from tests.support.imports import imported_by

STALE = "opsgen/catalogue/detectors.py is stale (detect-secrets changed?): run make docs and commit it"
HEX = string.hexdigits
BASE64 = string.ascii_letters + string.digits + "+/-_="


def test_the_copy_is_current():
    assert detectors.DENYLISTS == secrets.live_denylists(), STALE
    assert (detectors.HEX_LIMIT, detectors.BASE64_LIMIT) == secrets.live_limits(), STALE
    assert Path(detectors.__file__).read_text(encoding="utf-8") == secrets.detectors_source(), STALE


def test_the_one_pass_regex_is_built_from_every_pattern_the_plugins_use():
    every = [(p.pattern, p.flags) for _, plugin in secrets._plugins() for p in plugin.denylist]
    assert len(every) == sum(len(patterns) for _, patterns in detectors.DENYLISTS)
    assert secrets._any_token().pattern == secrets.alternation(secrets.live_denylists())


def _alphabet_words(charset: str) -> st.SearchStrategy[str]:
    """Words over a random part of ``charset`` (a few up to all of its characters)."""
    alphabet = st.lists(st.sampled_from(charset), min_size=1, max_size=len(charset), unique=True)
    return alphabet.flatmap(lambda chars: st.text(alphabet="".join(chars), min_size=1, max_size=90))


@given(_alphabet_words(HEX))
def test_a_hex_word_the_precheck_passes_over_never_exceeds_the_limit(word):
    hex_plugin, _ = secrets._entropy_plugins()
    if not secrets._may_exceed(word, detectors.HEX_LIMIT):
        assert hex_plugin.calculate_shannon_entropy(word) <= hex_plugin.entropy_limit


@given(_alphabet_words(BASE64))
def test_a_base64_word_the_precheck_passes_over_never_exceeds_the_limit(word):
    _, base64_plugin = secrets._entropy_plugins()
    if not secrets._may_exceed(word, detectors.BASE64_LIMIT):
        assert base64_plugin.calculate_shannon_entropy(word) <= base64_plugin.entropy_limit


@pytest.mark.parametrize("charset, limit", [(HEX, detectors.HEX_LIMIT), (BASE64, detectors.BASE64_LIMIT)])
def test_the_precheck_bound_at_its_edge(charset, limit):
    """Evenly spread words of one character fewer than the pre-check asks stay at or
    below the limit; at the limit's own power of two (8 hex digits) too, up to rounding."""
    hex_plugin, base64_plugin = secrets._entropy_plugins()
    plugin = hex_plugin if charset == HEX else base64_plugin
    fewest = math.floor(2**limit)
    for repeat in range(1, 12):
        assert plugin.calculate_shannon_entropy(charset[: fewest - 1] * repeat) <= limit
    assert secrets._may_exceed(charset[:fewest], limit) and not secrets._may_exceed(charset[: fewest - 1], limit)


GITHUB = "ghp_q8Vz3Lk9Pw2Xr7Tn4Ym6Bc1Hd5Jf0GsAa1B2"
AWS = "AKIAQ8VZ3LK9PW2XR7TN"
HEX_TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
BASE64_TOKEN = "Zq7pW3xKm2Lr9Tn4Ym6Bc1Hd5Jf0Gs8Aa1B2Vw3"
ADVICE = "(<not shown>); keep credentials in a Kubernetes Secret and reference it by name"
REFUSED = [
    (GITHUB, "a GitHub Token"),
    (AWS, "an AWS Access Key"),
    (HEX_TOKEN, "a hex token (high entropy)"),
    (BASE64_TOKEN, "a base64 token (high entropy)"),
]


def test_a_catalogue_without_a_suspect_string_does_not_import_detect_secrets(write_catalogue):
    code, err, imported = imported_by("validate", write_catalogue(VALID), "detect_secrets")
    assert (code, imported) == (0, []), err


@pytest.mark.parametrize("token, kind", REFUSED)
def test_a_real_token_is_still_refused_by_detect_secrets(write_catalogue, token, kind):
    path = write_catalogue(VALID.replace("team: core", f"team: core\n    description: 'deploys with {token}'", 1))
    code, err, imported = imported_by("validate", path, "detect_secrets")
    assert (code, imported) == (3, ["detect_secrets"]), err
    line = err.splitlines()[0]
    assert line.endswith(f"services.yaml:9:18: description: looks like {kind} {ADVICE}"), err
    assert token[:12] not in err
