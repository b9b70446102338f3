"""docs/catalogue.md, the catalogue's field reference, generated from the schema
(schema.py): ``opsgen schema --markdown > docs/catalogue.md`` (``make docs``).
A test fails when the committed file is not what this module writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opsgen.catalogue import schema

COMMAND = "make docs"  # what to run when the reference is stale

EXAMPLE = """\
# yaml-language-server: $schema=services.schema.json
platform:
  name: shop
services:
  - name: checkout
    namespace: shop
    team: payments
    metrics: {port: http}
    scaling: {maxReplicas: 5, cpu: {targetUtilization: 70}}
    slo: {successRate: 99.5, latencyP95: 2500ms}
"""

INCLUDED_EXAMPLE = {
    "services.yaml": "platform: {name: shop}\ninclude: [teams/*.yaml]\n",
    "teams/payments.yaml": "# yaml-language-server: $schema=../services.include.schema.json\n"
    "services:\n  - {name: checkout, namespace: shop, team: payments}\n",
}
_SPLIT = "".join(f"```yaml\n# {name}\n{text}```\n\n" for name, text in INCLUDED_EXAMPLE.items())

INTRO = f"""\
# The catalogue: field reference

<!-- generated from opsgen/catalogue/schema.py by `{COMMAND}`; do not edit -->

`services.yaml` describes the platform and its services; `opsgen synth` (`make synth`)
compiles it into Kubernetes YAML under `dist/`. The smallest useful catalogue:

```yaml
{EXAMPLE}```

`make synth` writes `dist/`; `make check` tells whether `dist/` is what the catalogue
compiles to. Every problem is reported at once as `file:line:col: message`, and nothing
under `dist/` changes.

Durations are Prometheus durations (`15s`, `2m`, `1h30m`); names are DNS-1123 labels (lower
case letters, digits and `-`, at most 63 characters). Unknown keys are errors. Editors
complete and check fields through `services.schema.json` (first line of the example).

## Splitting the catalogue: `include`

`include` lists glob patterns relative to the catalogue's folder, e.g. one file per team so
that CODEOWNERS can give each team its own file:

{_SPLIT}- The files each pattern matches are read in sorted order (patterns in the order listed; a
  file matched twice is read once), and their `services` and `alerts` are appended after the
  catalogue's own. The output is byte for byte the output of the same catalogue in one file, but
  for the `# source:` line of a service's files, which names the file it is written in.
- An included file holds only `services:` and `alerts:` (schema:
  `services.include.schema.json`; first line
  `# yaml-language-server: $schema=../services.include.schema.json`). Includes do not nest.
- A pattern that matches nothing is an error, and so is one that leaves the catalogue's folder
  (an absolute path, `..`, or a symbolic link leading outside it).
- Every error names the file it is in: `teams/payments.yaml:3:7: ...`.
- `metrics.exposition` paths stay relative to the catalogue's folder, wherever the service is
  written.
"""

SECTIONS = (
    ("Top level", (), "the keys of `services.yaml`"),
    ("platform", ("platform",), "the platform as a whole"),
    (
        "environments",
        ("environments", "*"),
        "`environments.<name>`: one per cluster; output for `prod` goes to `dist/prod/`. "
        "Without `environments`, output goes directly into `dist/`",
    ),
    ("services[]", ("services", "[]"), "one entry per service"),
    (
        "services[].environments",
        ("services", "[]", "environments", "*"),
        "`services[].environments.<name>`: per-environment overrides of a service, deep-merged over it "
        "(mappings merge key by key, lists and scalars replace); the environment must be declared under the top-level `environments`",
    ),
    (
        "alerts[]",
        ("alerts", "[]"),
        "alerts in verbatim PromQL: platform-wide under the top-level `alerts`, "
        "a service's own under `services[].alerts`",
    ),
    ("receivers", ("platform", "alerting", "page"), "`platform.alerting.page` and `platform.alerting.warn`"),
    (
        "platform.alerting.teams",
        ("platform", "alerting", "teams", "*"),
        "`platform.alerting.teams.<team>`: a team's own "
        "receivers; its alerts (label `team`) go there before the platform's, and a severity it names none for goes to the platform's",
    ),
    ("pipeline", ("pipeline",), "the order of Kafka topics for the Pipeline Funnel dashboard"),
)


def markdown() -> str:
    """The whole reference, as committed in docs/catalogue.md."""
    root = schema.catalogue_schema()
    out = [INTRO]
    for title, path, about in SECTIONS:
        node = _resolve(root, _at(root, path))
        out.append(f"\n## {title}\n\n{about[0].upper() + about[1:]}.\n\n")
        out.append("| key | type | default | meaning |\n|---|---|---|---|\n")
        out.extend(_row(key, field, required) for key, field, required in _fields(root, node))
    return "".join(out)


def _at(root: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = root
    for part in path:
        node = _resolve(root, node)
        if part == "[]":
            node = node["items"]
        elif part == "*":
            node = node["additionalProperties"]
        else:
            node = node["properties"][part]
    return node


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return root["definitions"][ref.rsplit("/", 1)[1]] if ref else node


def _required(node: dict[str, Any], key: str, prefix: str) -> str:
    """'required', 'required in <parent>' or '' for a field of ``node``."""
    if key in node.get("then", {}).get("required", ()):
        return "required without `include`"
    if key not in node.get("required", ()):
        return ""
    return f"required in `{prefix[:-1]}`" if prefix else "required"


def _fields(root: dict[str, Any], node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any], str]]:
    """(dotted key, schema, required) of every field, nested objects flattened
    as the contract writes them (``metrics.port``); sections of their own are not."""
    for key, field in node.get("properties", {}).items():
        dotted, required = prefix + key, _required(node, key, prefix)
        if _is_section(prefix, key, node is root):
            section = _section_of(key, node is root)
            yield dotted, dict(field, description=f"see [{section}](#{_anchor(section)})"), required
        else:
            yield dotted, field, required
            if field.get("type") == "object" and "properties" in field:
                yield from _fields(root, field, dotted + ".")


def _is_section(prefix: str, key: str, top: bool) -> bool:
    return (top and key in ("platform", "environments", "services", "alerts", "pipeline")) or (
        not top and prefix == "" and key in ("environments", "alerts")
    )


def _section_of(key: str, top: bool) -> str:
    if not top and key == "environments":
        return "services[].environments"
    return {"services": "services[]", "alerts": "alerts[]"}.get(key, key)


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c in "-_")


def _row(key: str, field: dict[str, Any], required: str) -> str:
    default = required or _default(field)
    meaning = " ".join(str(field.get("description", "")).split()).replace("|", "\\|")
    return f"| `{key}` | {_type(field)} | {default} | {meaning} |\n"


def _default(field: dict[str, Any]) -> str:
    if "default" not in field:
        return ""
    value = field["default"]
    shown = {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value
    return f"`{shown}`" if shown != [] else "`[]`"


def _type(field: dict[str, Any]) -> str:
    if "$ref" in field:
        name = field["$ref"].rsplit("/", 1)[1]
        return {"receiver": "[receiver](#receivers)", "alert": "[alert](#alerts)"}.get(name, name)
    if "enum" in field:
        return " \\| ".join(f"`{v}`" for v in field["enum"])
    if field.get("title") in schema.MESSAGES:
        return field["title"]
    kind = field.get("type")
    if kind == "array":
        return f"list of {_plural(_type(field.get('items', {})))}"
    if kind in ("integer", "number"):
        return _number(field)
    if kind == "object" or kind == ["object", "null"]:
        return _mapping(field)
    return {"string": "string", "boolean": "bool"}.get(str(kind), str(kind))


def _mapping(field: dict[str, Any]) -> str:
    keys, values = field.get("propertyNames"), field.get("additionalProperties")
    if isinstance(keys, dict) and isinstance(values, dict):
        shown = (
            "a mapping" if values.get("$ref") == "#/definitions/override" or "properties" in values else _type(values)
        )
        return f"mapping of {_plural(keys.get('title', 'key'))} to {_plural(shown).removeprefix('a ')}"
    return "mapping"


def _plural(kind: str) -> str:
    return kind if kind.startswith("[") else kind + ("es" if kind.endswith("s") else "s")


def _number(field: dict[str, Any]) -> str:
    name = "int" if field["type"] == "integer" else "number"
    low = field.get("minimum", field.get("exclusiveMinimum"))
    high = field.get("maximum", field.get("exclusiveMaximum"))
    if low is not None and high is not None:
        return f"{name} {low}–{high}" + (" (exclusive)" if "exclusiveMinimum" in field else "")
    if low is not None:
        return f"{name} {'>' if 'exclusiveMinimum' in field else '≥'} {low}"
    return name
