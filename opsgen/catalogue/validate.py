"""Stage 2, validate: structure against the JSON Schema, then the rules a schema cannot say.

Every problem is collected (never only the first) and located at the key it
is about. Rules that need a well-formed value run only where the structure
checks found nothing wrong, so no rule ever sees data of the wrong type.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import jsonschema

from opsgen import durations
from opsgen.catalogue import (
    alert_rules,
    include,
    kafka_checks,
    routing_checks,
    schema,
    secrets,
    service_checks,
    slo_checks,
    uniqueness,
)
from opsgen.catalogue.load import Document
from opsgen.catalogue.merge import service_in, service_locator
from opsgen.catalogue.paths import Shown, display, text, type_of
from opsgen.errors import CatalogueError, Location, Problem, did_you_mean, sort_key

Locate = Callable[..., Location]


def _is_integer(checker: Any, instance: Any) -> bool:
    """Only whole numbers written as such: ``7.0`` is a float in YAML (and would
    reach the output as one), so it is not an integer here."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@functools.cache
def full_pattern(pattern: str) -> re.Pattern[str]:
    r"""A schema pattern as ECMA-262 (JSON Schema's dialect) reads it: ``$`` is the
    end of the text. Python's ``$`` also matches before a final newline, which let
    ``"pipeline\n"`` pass as a name; here every unescaped ``$`` outside a class is ``\Z``."""
    out, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = r"\Z"
        out.append(char)
    return re.compile("".join(out))


def _pattern(validator: Any, pattern: str, instance: Any, _schema: dict) -> Iterable[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not full_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"does not match {pattern!r}")


def _max_duration(validator: Any, limit: int, instance: Any, _schema: dict) -> Iterable[jsonschema.ValidationError]:
    if durations.is_duration(instance) and durations.seconds(instance) > limit:
        yield jsonschema.ValidationError(f"is longer than {limit} seconds")


Validator = jsonschema.validators.extend(
    jsonschema.Draft7Validator,
    validators={"pattern": _pattern, schema.MAX_DURATION_KEYWORD: _max_duration},
    type_checker=jsonschema.Draft7Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)
_CATALOGUE = Validator(schema.catalogue_schema())
_SERVICE = Validator(schema.service_schema())
_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def validate(doc: Document) -> None:
    """Raise CatalogueError with every problem of the catalogue, or return."""
    if not isinstance(doc.data, dict):
        raise CatalogueError(
            [
                Problem(
                    doc.locate((), value=True),
                    "the catalogue must be a mapping with the keys 'platform' and 'services'",
                )
            ]
        )
    found = secrets.scan(doc.data, doc.locate, display)
    errors = list(_CATALOGUE.iter_errors(doc.data))
    problems = [p for e in errors for p in _explain(e, doc.locate, (), doc)]
    broken = {tuple(e.absolute_path)[:2] for e in errors}
    too_many = _too_many_pairs(doc)
    problems += too_many
    if _rules_can_run(doc.data, broken) and not too_many:
        problems += rule_problems(doc)
    if problems or found.problems:  # no message shows a credential, whatever found it
        shown = found.redact_all([p.message for p in problems])
        problems = [Problem(p.location, message) for p, message in zip(problems, shown)]
        raise CatalogueError(problems + found.problems)


MAX_SERVICE_ENVIRONMENTS = 100_000  # services x environments: each pair is checked and built


def _too_many_pairs(doc: Document) -> list[Problem]:
    """Every service is merged, checked and built once per environment: a few
    bytes of environment names can ask for millions of them (1,000 environments
    x 100 services, 17 KB, took 3 s to validate). Bounded, so that validation
    time follows the catalogue's size."""
    services, envs = doc.data.get("services"), doc.data.get("environments")
    if not isinstance(services, list) or not isinstance(envs, dict):
        return []
    pairs = len(services) * max(1, len(envs))
    if pairs <= MAX_SERVICE_ENVIRONMENTS:
        return []
    message = (
        f"{len(services):,} services in {len(envs):,} environments make {pairs:,} service-environment pairs; "
        f"opsgen builds at most {MAX_SERVICE_ENVIRONMENTS:,}: split the catalogue"
    )
    return [Problem(doc.locate(("environments",)), message)]


def _rules_can_run(data: dict[str, Any], broken: set[tuple]) -> bool:
    """The rules read every service through its environments: they need the
    services list, the platform mapping and the environments well formed (a
    problem elsewhere, in one service or in platform, does not stop them)."""
    shaped = isinstance(data.get("services"), list) and isinstance(data.get("platform"), dict)
    return shaped and not any(b[:1] == ("environments",) or b == ("services",) for b in broken)


def environment_names(data: dict[str, Any]) -> list[str | None]:
    """The environments in catalogue order; [None] for the single unnamed one."""
    return list(data.get("environments") or {}) or [None]


# --- structure -------------------------------------------------------------


def _explain(
    error: jsonschema.ValidationError, locate: Locate, prefix: Sequence[str | int], doc: Document | None = None
) -> Iterable[Problem]:
    path = tuple(error.absolute_path)
    shown = service_label(doc, tuple(prefix) + path) or display(tuple(prefix) + path)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = error.schema.get("properties", {})
        for key in sorted(set(error.instance) - set(allowed)):
            where = f" in {shown}" if shown else ""
            yield Problem(locate(path + (key,)), f"unknown key '{key}'{where}{did_you_mean(key, allowed)}")
        return
    if kind == "required":
        missing = error.message.split("'")[1]
        if _misspelt(missing, error):
            return  # the unknown key that means it is reported, with "did you mean"
        where = shown or "the catalogue"
        yield Problem(locate(path), f"{where} is missing the required key '{missing}'")
        return
    if kind == "propertyNames":
        return  # reported through the nested error on the key itself (see below)
    if "propertyNames" in error.absolute_schema_path and isinstance(error.instance, str):
        path = path + (error.instance,)  # a bad key: point at the key, not at its mapping
    yield Problem(locate(path), f"{shown or 'the catalogue'} {_what(error)}")


def _misspelt(missing: str, error: jsonschema.ValidationError) -> bool:
    """Whether the mapping holds an unknown key that "did you mean" turns into
    ``missing`` (``nmae`` for ``name``): one mistake, reported once."""
    if not isinstance(error.instance, dict) or error.schema.get("additionalProperties") is not False:
        return False
    allowed = error.schema.get("properties", {})
    unknown = [k for k in error.instance if isinstance(k, str) and k not in allowed]
    return any(did_you_mean(k, allowed) == f"; did you mean '{missing}'?" for k in unknown)


def service_label(doc: Document | None, path: Sequence[str | int]) -> str | None:
    """``services[2] (coding-agent)`` for a path that is a whole service: the
    index in the file it is written in, and its name when it has one."""
    if doc is None or len(path) != 2 or path[0] != "services" or not isinstance(path[1], int):
        return None
    services = doc.data.get("services") if isinstance(doc.data, dict) else None
    entry = services[path[1]] if isinstance(services, list) and 0 <= path[1] < len(services) else None
    name = text(entry, "name")
    label = include.entry_label(doc, "services", path[1])
    return f"{label} ({name})" if name else label


def _what(error: jsonschema.ValidationError) -> str:
    kind, value, sub = error.validator, Shown(error.instance), error.schema
    if (
        kind == "type"
        and "integer" in (sub["type"] if isinstance(sub["type"], list) else [sub["type"]])
        and isinstance(value.value, float)
    ):
        return f"must be a whole number, written without a decimal point (not {value!r})"
    if kind == "type" and sub.get("title") == schema.DURATION["title"] and type(value.value) is int:
        return f"must be a duration with its unit, such as '{value.value}ms' or '{value.value}s', not a bare number ({value!r})"
    if kind == "type":
        wanted = sub["type"] if isinstance(sub["type"], list) else [sub["type"]]
        return f"must be {' or '.join(_TYPE_NAMES[t] for t in wanted)}, not {_TYPE_NAMES[type_of(value.value)]} ({value!r})"
    if kind == "enum":
        return f"must be one of {', '.join(map(str, sub['enum']))} (got {value!r})"
    if kind in ("pattern", "minLength", "maxLength") and sub.get("title") in schema.MESSAGES:
        return f"({value!r}) must be {schema.MESSAGES[sub['title']]}"
    if kind == "pattern":
        return f"({value!r}) must match {sub['pattern']}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        return f"({value!r}) must be {sign} {sub[kind]}"
    if kind == schema.MAX_DURATION_KEYWORD:
        return f"({value!r}) must be at most {sub[kind]} seconds (about 68 years)"
    if kind == "minItems":
        return f"must have at least {sub['minItems']} entr{'y' if sub['minItems'] == 1 else 'ies'}"
    if kind == "minLength":
        return "must not be empty"
    if kind == "uniqueItems":
        return "must not list the same entry twice"
    if (
        kind in ("minProperties", "maxProperties") and sub.get("minProperties") == sub.get("maxProperties") == 1
    ):  # receiver, cluster
        return f"needs exactly one of {', '.join(sorted(sub['properties']))}"
    if kind == "minProperties" and sub.get("title") == "team receivers":
        return f"needs {' or '.join(sorted(sub['properties']))} (or remove the team)"
    if kind == "minProperties" and sub.get("propertyNames") == schema.K8S_LABEL_KEY:
        return "must not be empty (an empty selector would select everything in the namespace); omit it for the default"
    return error.message


# --- rules -----------------------------------------------------------------


def rule_problems(doc: Document) -> list[Problem]:
    """Rules beyond the schema, for a catalogue whose top level is well formed
    (a service that is not a mapping is the schema's to report)."""
    data = doc.data
    problems: list[Problem] = []
    envs = environment_names(data)
    for index, service in enumerate(data["services"]):
        if not isinstance(service, dict) or not isinstance(service.get("environments") or {}, dict):
            continue
        problems += _override_env_problems(doc, index, service, envs)
        problems += in_environments({env: _service_problems(doc, index, env, data["platform"]) for env in envs})
    problems += kafka_checks.kafka_server_problems(doc)
    problems += slo_checks.platform_problems(doc)
    problems += uniqueness.duplicate_services(doc)
    problems += uniqueness.duplicate_alerts(doc)
    problems += alert_rules.overwritten_labels(doc)
    problems += alert_rules.template_problems(doc)
    problems += routing_checks.team_problems(doc)  # platform.alerting.teams name teams of the catalogue
    return sorted(set(problems), key=sort_key)


def in_environments(found: dict[str | None, list[Problem]]) -> list[Problem]:
    """A problem of every environment is reported once, as it is; one that only
    some environments' overrides cause names them, since it may be located at
    the service's own key (an override of ``interval`` makes the base
    ``scrapeTimeout`` too long in that environment only)."""
    where: dict[Problem, list[str]] = {}
    for env, problems in found.items():
        for problem in problems:
            where.setdefault(problem, [])
            if env is not None and env not in where[problem]:
                where[problem].append(env)
    out = []
    for problem, envs in where.items():
        if envs and len(envs) < len(found):
            shown = ", ".join(envs)
            problem = Problem(
                problem.location, f"{problem.message} (in environment{'s' if len(envs) > 1 else ''} {shown})"
            )
        out.append(problem)
    return out


def _override_env_problems(doc: Document, index: int, service: dict, envs: list[str | None]) -> list[Problem]:
    known = [e for e in envs if e]
    problems = []
    for env in service.get("environments") or {}:
        if env not in known:
            listed = f" (the catalogue's environments: {', '.join(known)})"
            hint = (did_you_mean(env, known) + listed) if known else "; declare it under the top-level 'environments'"
            where = doc.locate(("services", index, "environments", env))
            problems.append(Problem(where, f"environments.{env}: unknown environment{hint}"))
    return problems


def _service_problems(doc: Document, index: int, env: str | None, platform: dict) -> list[Problem]:
    raw = doc.data["services"][index]
    override = (raw.get("environments") or {}).get(env) if env else None
    if override is not None and not isinstance(override, dict):
        return []  # the schema reports it; there is nothing to merge
    merged = service_in(raw, env)
    locate = service_locator(doc, index, env)
    missing: list[Problem] = []
    if env in (raw.get("environments") or {}):
        # The catalogue schema checked the service and its override one by one;
        # merging can only add missing keys (an override that brings a partial
        # ``metrics`` to a service without one), so only those are new here: a
        # key the service itself lacks is reported once, by the schema.
        errors = (e for e in _SERVICE.iter_errors(merged) if e.validator == "required" and not _lacks(raw, e))
        missing = [p for e in errors for p in _explain(e, locate, ("services", index), doc)]
    return missing + [
        Problem(locate(path), message) for path, message in service_checks.service_rules(merged, platform)
    ]


def _lacks(raw: dict, error: jsonschema.ValidationError) -> bool:
    """The service as written already lacks the key the merged one is missing."""
    node: Any = raw
    for part in error.absolute_path:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and error.message.split("'")[1] not in node
