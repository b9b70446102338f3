"""Property: whatever is done to a valid catalogue, ``opsgen validate`` either
accepts it (and then synth succeeds) or exits 1 with one located line per
problem (``<file>:<line>:<col>: ...``) and the summary line; never a traceback.

Raise the example count with OPSGEN_PROPERTY_EXAMPLES=5000 when hunting bugs.

Mutations: delete keys, change types, insert random keys, swap values, insert
random YAML fragments, duplicate lines (duplicate keys), truncate the text.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from opsgen.cli import main
from tests.conftest import BUNDLED, VALID
from tests.support.mutator import get, paths, put

GOLDEN = Path(__file__).parent / "golden"
SEEDS = [VALID, BUNDLED.read_text(encoding="utf-8")] + [
    p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*/services.yaml"))
]
KEYS = sorted(
    {
        "platform",
        "services",
        "environments",
        "alerts",
        "pipeline",
        "name",
        "namespace",
        "team",
        "role",
        "metrics",
        "scaling",
        "slo",
        "port",
        "interval",
        "scrapeTimeout",
        "monitor",
        "minReplicas",
        "maxReplicas",
        "kafka",
        "cpu",
        "topic",
        "lagThreshold",
        "targetUtilization",
        "backlog",
        "successRate",
        "latencyP95",
        "maxSeverity",
        "expr",
        "severity",
        "summary",
        "auth",
        "secret",
        "tls",
        "bootstrapServers",
        "prometheus",
        "release",
        "exports",
        "dev",
        "prod",
        "intervall",
        "<<",
    }
)
FRAGMENTS = [
    "{",
    "}",
    "[",
    "]",
    "- ",
    ": ",
    "&a x",
    "*a",
    "*nope",
    "!!python/object/apply:os.system ['true']",
    "!Ref x",
    "'unclosed",
    '"\\q"',
    "? complex\n: key",
    "---",
    "...",
    "%YAML 1.1",
    "\t- tab",
    "key: value",
    "  - name: x",
    "<<: *a",
    "a: &a [*a]",
    "x: !!binary aGk=",
    "@",
    "`",
    "|\n  block",
    ">-",
    "0x1F",
    ".inf",
    "~",
    "null: null",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["30s", "0s", "1h30m", "http", "agents", "-bad-", "A" * 70, "page", "kafka", "99.9", ""]),
)
plausible = st.one_of(  # values a user might really write: they keep more catalogues valid
    st.integers(min_value=-1, max_value=30),
    st.sampled_from(["15s", "1m", "0s", "5m", "90s", "2h", "1h30m", "500ms", "10s"]),
    st.sampled_from(["http", "pod", "service", "agent", "runner", "page", "warn", "info", "worker", "apps", "t1"]),
    st.sampled_from([95, 99.9, 0.5, 100, True, False, None, {}, []]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def data_mutation(draw, data: Any) -> Any:
    kind = draw(st.sampled_from(["delete", "retype", "insert", "swap", "perturb", "perturb"]))
    all_paths = paths(data)
    if kind == "perturb":  # a plausible value where a scalar was
        scalars_at = [p for p in all_paths if p and not isinstance(get(data, p), (dict, list))]
        if scalars_at:
            put(data, draw(st.sampled_from(scalars_at)), draw(plausible))
        return data
    if kind == "delete":
        candidates = [p for p in all_paths if p]
        if candidates:
            path = draw(st.sampled_from(candidates))
            del get(data, path[:-1])[path[-1]]
        return data
    if kind == "retype":
        return put(data, draw(st.sampled_from(all_paths)), draw(values | plausible))
    if kind == "insert":
        mappings = [p for p in all_paths if isinstance(get(data, p), dict)]
        if mappings:
            key = draw(st.sampled_from(KEYS) | st.text(min_size=1, max_size=10))
            get(data, draw(st.sampled_from(mappings)))[key] = draw(values | plausible)
        return data
    candidates = [p for p in all_paths if p]
    if len(candidates) >= 2:
        a, b = draw(st.sampled_from(candidates)), draw(st.sampled_from(candidates))
        if a[: len(b)] != b and b[: len(a)] != a:  # neither contains the other
            va, vb = get(data, a), get(data, b)
            put(data, a, vb)
            put(data, b, va)
    return data


@st.composite
def text_mutation(draw, text: str) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    kind = draw(st.sampled_from(["fragment", "duplicate", "delete", "truncate", "indent"]))
    index = draw(st.integers(0, len(lines) - 1))
    if kind == "fragment":
        fragment = draw(st.sampled_from(FRAGMENTS) | st.text(max_size=12))
        column = draw(st.integers(0, len(lines[index])))
        lines[index] = lines[index][:column] + fragment + lines[index][column:]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "delete":
        del lines[index]
    elif kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    else:
        lines[index] = " " * draw(st.integers(1, 3)) + lines[index]
    return "".join(lines)


DURATIONS = st.sampled_from(["1s", "10s", "15s", "30s", "1m", "2m", "5m", "1h", "90s", "500ms"])


@st.composite
def same_type_change(draw, data: Any) -> Any:
    """Numbers and durations changed to others of their kind: mostly valid
    catalogues, so the synth path and the cross-field rules get exercised."""
    candidates = [
        p
        for p in paths(data)
        if p and isinstance(get(data, p), (bool, int, float)) or (p and _is_duration(get(data, p)))
    ]
    if not candidates:
        return data
    path = draw(st.sampled_from(candidates))
    old = get(data, path)
    if isinstance(old, bool):
        new = draw(st.booleans())
    elif isinstance(old, int):
        new = draw(st.integers(0, 50))
    elif isinstance(old, float):
        new = draw(st.floats(0.01, 99.99))
    else:
        new = draw(DURATIONS)
    return put(data, path, new)


def _is_duration(value: Any) -> bool:
    from opsgen.durations import is_duration

    return is_duration(value)


@st.composite
def catalogues(draw) -> str:
    seed = draw(st.sampled_from(SEEDS))
    if draw(st.integers(0, 2)) == 0:
        data = yaml.safe_load(seed)
        for _ in range(draw(st.integers(1, 4))):
            data = draw(same_type_change(data))
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if draw(st.booleans()):
        data = yaml.safe_load(seed)
        for _ in range(draw(st.integers(1, 3))):
            data = draw(data_mutation(data))
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        if draw(st.booleans()):
            text = draw(text_mutation(text))
        return text
    text = seed
    for _ in range(draw(st.integers(1, 3))):
        text = draw(text_mutation(text))
    return text


_WORKDIR = Path(tempfile.mkdtemp(prefix="opsgen-properties-"))
atexit.register(shutil.rmtree, _WORKDIR, True)
CATALOGUE = _WORKDIR / "services.yaml"
LOCATED = re.compile(r"^" + re.escape(str(CATALOGUE)) + r":\d+:\d+: ")
SUMMARY = re.compile(r"^opsgen: (\d+) problems? in " + re.escape(str(CATALOGUE)) + r"$")  # validate never writes


@settings(
    max_examples=int(os.environ.get("OPSGEN_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(catalogues())
def test_mutated_catalogues_fail_cleanly_or_synthesize(text):
    CATALOGUE.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", "-c", str(CATALOGUE)])
    lines = err.getvalue().splitlines()
    event(f"exit {code}")
    assert "Traceback" not in err.getvalue()
    if code == 0:
        assert all(LOCATED.match(line) and ": warning: " in line for line in lines), lines  # warnings only
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["synth", "-c", str(CATALOGUE), "-o", str(_WORKDIR / "out")])
        assert code == 0, err.getvalue()  # what validate accepts, synth must build
        return
    assert code == 3, (code, err.getvalue())
    assert lines, "exit 1 without a reason"
    summary = SUMMARY.match(lines[-1])
    assert summary, lines[-1]
    problems = lines[:-1]
    assert int(summary.group(1)) == len(problems), lines
    for line in problems:
        assert LOCATED.match(line), line
