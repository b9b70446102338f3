"""Hostile mutants of valid catalogues, reproducible from (seed, index).

Each mutant is a valid seed catalogue with 1-3 mutations, chosen from the
classes the adversarial review (issue 14) found: keys deleted or duplicated,
values swapped for other types, huge / negative / float / non-finite numbers,
trailing newlines, unicode, deep nesting, Go template braces, explicit tags,
anchors and aliases, credentials, over-deep PromQL, names that collide once
joined or once generated (``a-b``/``c`` and ``a``/``b-c``, ``keda-hpa-<x>``,
``<platform>-platform``), and reserved labels. Most are data mutations (dumped
as YAML); some edit the text.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from tests.support import attack_corpus

Data = Any

NUMBERS = [
    0,
    -1,
    -(2**31),
    2**31 - 1,
    2**31,
    2**63,
    10**30,
    7.0,
    0.5,
    1e-9,
    99.999,
    100,
    100.0,
    True,
    False,
]
NON_FINITE_TEXT = [".nan", ".inf", "-.inf", ".NaN", "!!float .inf", "1e999", "!!int '" + "9" * 5000 + "'", "9" * 5000]
STRINGS = [
    "",
    " ",
    "x\n",
    "pipeline\n",
    "\n",
    "ünïcødé",
    "名前",
    "😀",
    "a" * 64,
    "a" * 300,
    "-bad-",
    "Bad_Name",
    "a..b",
    "a/b",
    "{{",
    "}}",
    "{{ $value }}",
    'x{{ range query "up" }}{{ . }}{{ end }}',
    "{{ nope }}",
    "{{ if true }}",
    "30s",
    "0s",
    "99999999999y",
    "1h30m",
    "500ms",
    "page",
    "kafka",
    "__name__",
    "http",
    "#alerts",
    "https://hooks.slack.com/services/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",
    "a3f9c2e7b41d08f6e5c3a9b7d2f1e0c4",
    "user:Zq7pW3xKm@kafka.kafka.svc:9092",
    "/metrics?token=Zq7pW3xKm",
    "ghp_q8Vz3Lk9Pw2Xr7Tn4Ym6Bc1Hd5Jf0GsAa1B2",
    "\u2028",
    "\x85",
    "tab\there",
    "a: b",
    "- x",
    "&a",
    "*a",
    "!!str",
] + attack_corpus.VALUES
EXPRS = (
    [
        "up == 0",
        "(" * 200 + "up" + ")" * 200,
        "-" * 300 + "up",
        "1" + "+1" * 400,
        'sort_by_label(up, "a")',
        "limitk(1, up)",
        "info(up)",
        "rate(up[5m])",
        "up{",
        "",
        "sum(rate(nope_total[5m])) > 0",
        "vector(1)",
        '"text"',
        "up[5m]",
    ]
    + attack_corpus.PROMQL_REFUSED
    + attack_corpus.PROMQL_FAILS_EVERY_EVALUATION
)
KEYS = [
    "name",
    "namespace",
    "team",
    "metrics",
    "scaling",
    "slo",
    "alerts",
    "labels",
    "severity",
    "summary",
    "description",
    "environments",
    "kafka",
    "cpu",
    "port",
    "path",
    "scalling",
    "<<",
    "",
    " ",
    "x\n",
    "__name__",
    "password",
    "ünï",
]
TAGS = [
    "!!int 'abc'",
    "!!float 'x'",
    "!!bool 'maybe'",
    "!!map 'x'",
    "!!seq x",
    "!!str {a: 1}",
    "!!python/object/apply:os.system ['true']",
    "!Ref x",
    "!!binary aGk=",
    "!!timestamp 2001-12-14",
    "!!null x",
    "!!set {a}",
    "!!omap [a: 1]",
    "[1, 2]",
] + attack_corpus.NUMBER_TEXTS


def paths(data: Data, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += paths(value, prefix + (index,))
    return out


def get(data: Data, path: tuple) -> Data:
    for part in path:
        data = data[part]
    return data


def put(data: Data, path: tuple, value: Data) -> Data:
    if not path:
        return value
    get(data, path[:-1])[path[-1]] = value
    return data


@dataclass
class Mutant:
    text: str
    mutations: list[str]


class Mutator:
    """``mutant(index)`` is the same text for the same (seeds, seed, index)."""

    def __init__(self, seeds: list[str], seed: int = 14):
        self.seeds = seeds
        self.seed = seed

    def mutant(self, index: int) -> Mutant:
        rng = random.Random(f"{self.seed}-{index}")
        text = rng.choice(self.seeds)
        data = yaml.safe_load(text)
        done: list[str] = []
        text_edits: list[Callable[[str], str]] = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            name, mutation = rng.choice(DATA_MUTATIONS + TEXT_MUTATIONS)
            done.append(name)
            if (name, mutation) in TEXT_MUTATIONS:
                text_edits.append(lambda t, m=mutation: m(t, rng))
            else:
                data = mutation(data, rng)
        out = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1 << 16)
        for edit in text_edits:
            out = edit(out)
        return Mutant(out, done)


# --- data mutations ----------------------------------------------------------------


def _any_path(data: Data, rng: random.Random, want: Callable[[Data], bool] = lambda v: True) -> tuple | None:
    found = [p for p in paths(data) if p and want(get(data, p))]
    return rng.choice(found) if found else None


def delete_key(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng)
    if path:
        del get(data, path[:-1])[path[-1]]
    return data


def swap_type(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng)
    if path:
        put(data, path, rng.choice([None, [], {}, "x", 1, 1.5, True, [get(data, path)], {"a": get(data, path)}]))
    return data


def number(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng, lambda v: isinstance(v, (int, float)) or isinstance(v, str) and v[-1:] in "sm")
    if path:
        put(data, path, rng.choice(NUMBERS))
    return data


def string(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng, lambda v: isinstance(v, str))
    if path:
        old = get(data, path)
        put(data, path, rng.choice([rng.choice(STRINGS), old + rng.choice(STRINGS), old + "\n", old.upper(), old * 9]))
    return data


def insert_key(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng, lambda v: isinstance(v, dict))
    if path is not None:
        get(data, path)[rng.choice(KEYS)] = rng.choice(STRINGS + NUMBERS + [None, {}, []])
    return data


def deep(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng)
    if path:
        value = get(data, path)
        for _ in range(rng.choice([10, 63, 70])):
            value = rng.choice([[value], {"x": value}])
        put(data, path, value)
    return data


def expr(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng, lambda v: isinstance(v, dict) and "expr" in v)
    if path is not None:
        get(data, path)["expr"] = rng.choice(EXPRS)
    else:
        data.setdefault("alerts", []) if isinstance(data, dict) else None
        if isinstance(data, dict) and isinstance(data["alerts"], list):
            data["alerts"].append(
                {"name": "Fuzz", "expr": rng.choice(EXPRS), "severity": "warn", "summary": rng.choice(STRINGS) or "s"}
            )
    return data


def duplicate_service(data: Data, rng: random.Random) -> Data:
    services = data.get("services") if isinstance(data, dict) else None
    if isinstance(services, list) and services and isinstance(services[0], dict):
        twin = copy.deepcopy(rng.choice(services))
        if isinstance(twin, dict):
            choice = rng.choice(["same", "joined", "keda", "platform", "ns"])
            platform = (
                (data.get("platform") or {}).get("name", "demo") if isinstance(data.get("platform"), dict) else "demo"
            )
            if choice == "joined" and isinstance(twin.get("name"), str) and isinstance(twin.get("namespace"), str):
                twin["namespace"], twin["name"] = f"{twin['namespace']}-{twin['name']}"[:40], "x"
                services.append(
                    {
                        **twin,
                        "namespace": twin["namespace"].split("-")[0] or "a",
                        "name": "-".join(twin["namespace"].split("-")[1:] + ["x"]),
                    }
                )
            elif choice == "keda":
                twin["name"] = f"keda-hpa-{twin.get('name')}"
                twin["scaling"] = {"maxReplicas": 3, "cpu": {"targetUtilization": 50}}
            elif choice == "platform":
                twin["name"], twin["namespace"] = f"{platform}-platform", "monitoring"
            elif choice == "ns":
                twin["namespace"] = rng.choice(["pipeline\n", "kube-system", "a" * 63, "default"])
            twin.pop("alerts", None)
            services.append(twin)
    return data


def labels(data: Data, rng: random.Random) -> Data:
    path = _any_path(data, rng, lambda v: isinstance(v, dict) and "expr" in v)
    if path is not None:
        alert = get(data, path)
        alert["labels"] = {
            rng.choice(["severity", "team", "namespace", "service", "__name__", "password", "x", "9x"]): rng.choice(
                STRINGS
            )
        }
    return data


def override(data: Data, rng: random.Random) -> Data:
    services = data.get("services") if isinstance(data, dict) else None
    envs = data.get("environments") if isinstance(data, dict) else None
    if isinstance(services, list) and services and isinstance(services[-1], dict):
        env = rng.choice(list(envs) if isinstance(envs, dict) and envs else ["prod", "nope"])
        patch = rng.choice(
            [
                {"scaling": {"maxReplicas": rng.choice(NUMBERS)}},
                {"alerts": [{"name": "ErrorBudgetBurnFast", "expr": "up == 0", "severity": "page", "summary": "s"}]},
                {"metrics": {"interval": rng.choice(STRINGS)}},
                {"name": "renamed"},
                {"slo": {"successRate": rng.choice(NUMBERS)}},
            ]
        )
        services[-1].setdefault("environments", {})
        if isinstance(services[-1]["environments"], dict):
            services[-1]["environments"][env] = patch
    return data


DATA_MUTATIONS: list[tuple[str, Callable[[Data, random.Random], Data]]] = [
    ("delete", delete_key),
    ("swap type", swap_type),
    ("number", number),
    ("number", number),
    ("string", string),
    ("string", string),
    ("insert key", insert_key),
    ("deep", deep),
    ("expr", expr),
    ("duplicate service", duplicate_service),
    ("labels", labels),
    ("override", override),
]


# --- text mutations ----------------------------------------------------------------


def _scalar_lines(text: str) -> list[int]:
    lines = text.split("\n")
    return [i for i, line in enumerate(lines) if ": " in line and not line.rstrip().endswith(":")]


def tag(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    candidates = _scalar_lines(text)
    if candidates:
        i = rng.choice(candidates)
        key = lines[i].split(": ", 1)[0]
        lines[i] = f"{key}: {rng.choice(TAGS + NON_FINITE_TEXT)}"
    return "\n".join(lines)


def duplicate_line(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    candidates = _scalar_lines(text)
    if candidates:
        i = rng.choice(candidates)
        lines.insert(i, lines[i])
    return "\n".join(lines)


def alias(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    candidates = _scalar_lines(text)
    if len(candidates) >= 2:
        a, b = sorted(rng.sample(candidates, 2))
        key_a, value_a = lines[a].split(": ", 1)
        lines[a] = f"{key_a}: &fz {value_a}"
        key_b = lines[b].split(": ", 1)[0]
        lines[b] = f"{key_b}: *fz" if rng.random() < 0.8 else f"{key_b}: *undefined"
    return "\n".join(lines)


def merge_key(text: str, rng: random.Random) -> str:
    return text.replace("platform:\n", "base: &base {team: core, namespace: apps}\nplatform:\n", 1).replace(
        "  - name:", "  - <<: *base\n    name:", 1
    )


TEXT_MUTATIONS: list[tuple[str, Callable[[str, random.Random], str]]] = [
    ("tag", tag),
    ("duplicate key", duplicate_line),
    ("alias", alias),
    ("merge key", merge_key),
]
