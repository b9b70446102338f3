"""Strict validation of generated Kubernetes objects, as ``kubectl --validate=strict`` would.

- Custom resources (prometheus-operator, KEDA) are checked against the
  ``openAPIV3Schema`` of the upstream CRDs in ``$OPSGEN_CRD_DIR/*.yaml``, Argo CD's
  (argoproj.io) against those in ``$OPSGEN_ARGOCD_CRD_DIR/*.yaml``. The
  OpenAPI dialect is mapped onto JSON Schema once per (apiVersion, kind):
  ``x-kubernetes-int-or-string`` becomes ``anyOf: [integer, string]``,
  ``nullable`` adds ``null`` to the type, and every object schema that lists
  ``properties`` gets ``additionalProperties: false`` (unless it says
  ``x-kubernetes-preserve-unknown-fields``), so unknown fields are errors.
- Core kinds (Namespace, autoscaling/v2 HorizontalPodAutoscaler, ConfigMap, ...)
  go through ``kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)``.
- ``metadata`` of every object is checked too: name, namespace, string labels
  (valid label values) and string annotations, nothing else.
- A kind that neither knows is an error: nothing is waved through.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.27"
CRD_DIR_ENV = "OPSGEN_CRD_DIR"
ARGOCD_CRD_DIR_ENV = "OPSGEN_ARGOCD_CRD_DIR"  # kept apart: scripts/crds.txt lists exactly OPSGEN_CRD_DIR's files
ARGOCD_GROUP = "argoproj.io"
CI_DIRS = {CRD_DIR_ENV: "../shared/crds", ARGOCD_CRD_DIR_ENV: "../shared/crds-argocd"}  # what .ci/run sets
CORE_KINDS = {
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
}

_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
_LABEL_VALUE = {"type": "string", "maxLength": 63, "pattern": r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"}
_LABEL_KEY = {
    "type": "string",
    "pattern": r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
}
METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": _DNS_SUBDOMAIN},
        "namespace": {"type": "string", "pattern": _DNS_LABEL},
        "labels": {"type": "object", "propertyNames": _LABEL_KEY, "additionalProperties": _LABEL_VALUE},
        "annotations": {
            "type": "object",
            "propertyNames": {"type": "string"},
            "additionalProperties": {"type": "string"},
        },
    },
}
_METADATA = jsonschema.Draft4Validator(METADATA_SCHEMA)


class UnknownKind(LookupError):
    pass


class CrdsUnavailable(LookupError):
    """A custom resource, and no CRD directory to check it against."""


def crd_dir(variable: str = CRD_DIR_ENV) -> tuple[Path | None, str]:
    """The CRD directory that ``variable`` names and, when it is unusable, why."""
    value = os.environ.get(variable)
    if not value:
        return None, f"{variable} not set: custom resources cannot be validated (CI sets it to {CI_DIRS[variable]})"
    path = Path(value)
    if not path.is_dir() or not any(path.glob("*.yaml")):
        return None, f"{variable}={value} has no CRD files (*.yaml): custom resources cannot be validated"
    return path, ""


def crd_variable(api_version: Any) -> str:
    """Which variable names the CRD directory of ``api_version``'s group."""
    return ARGOCD_CRD_DIR_ENV if str(api_version).split("/")[0] == ARGOCD_GROUP else CRD_DIR_ENV


def strict_openapi(schema: Any) -> Any:
    """An OpenAPI v3 (Kubernetes structural) schema as a strict JSON Schema."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in ("properties", "patternProperties", "definitions"):  # name -> schema
        if isinstance(out.get(key), dict):
            out[key] = {name: strict_openapi(sub) for name, sub in out[key].items()}
    for key in ("items", "additionalProperties", "not"):  # one schema
        if isinstance(out.get(key), dict):
            out[key] = strict_openapi(out[key])
    for key in ("allOf", "anyOf", "oneOf"):  # list of schemas
        if isinstance(out.get(key), list):
            out[key] = [strict_openapi(sub) for sub in out[key]]
    if out.pop("x-kubernetes-int-or-string", False):
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
        out.pop("type", None)
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


class _CrdLoader(yaml.SafeLoader):
    """PyYAML resolves a bare ``=`` (an enum value in AlertmanagerConfig) to the
    YAML 1.1 'value' tag, which SafeLoader cannot construct: keep it a string."""


_CrdLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def _crd_documents(directory: Path) -> Iterable[dict[str, Any]]:
    for path in sorted(directory.glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            for doc in yaml.load_all(handle, Loader=_CrdLoader):
                if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                    yield doc


@functools.cache
def crd_validators(directory: str) -> dict[tuple[str, str], jsonschema.Draft4Validator]:
    """One validator per (apiVersion, kind), built once per directory."""
    out = {}
    for crd in _crd_documents(Path(directory)):
        spec = crd["spec"]
        for version in spec["versions"]:
            schema = strict_openapi(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
            schema["properties"]["metadata"] = METADATA_SCHEMA
            schema["required"] = sorted({*schema.get("required", ()), "apiVersion", "kind", "metadata", "spec"})
            out[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = jsonschema.Draft4Validator(schema)
    return out


def _path(error: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(root)"


def problems(doc: Any) -> list[str]:
    """Every reason ``doc`` would be refused; [] when it is valid.

    Raises UnknownKind for kinds no validator knows; skips the test (pytest's
    Skipped) for custom resources when no CRD directory is configured."""
    if not isinstance(doc, dict):
        return [f"not a mapping: {doc!r}"]
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in CORE_KINDS:
        found = [f"metadata/{_path(e)}: {e.message}" for e in _METADATA.iter_errors(doc.get("metadata"))]
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            found.append(f"{_path(exc)}: {exc.message}")
        return found
    directory, reason = crd_dir(crd_variable(key[0]))
    if directory is None:
        _skip(reason)
    validator = crd_validators(str(directory)).get(key)
    if validator is None:
        raise UnknownKind(
            f"no schema for apiVersion {key[0]!r} kind {key[1]!r}: neither a core kind nor in {directory}"
        )
    return [
        f"{_path(e)}: {e.message}" for e in sorted(validator.iter_errors(doc), key=str)
    ]  # metadata: METADATA_SCHEMA


def assert_valid(doc: Any, where: str = "") -> None:
    """Fail the test with every problem of ``doc``."""
    found = problems(doc)
    if found:
        name = (doc.get("metadata") or {}).get("name") if isinstance(doc, dict) else None
        label = f"{where} {doc.get('kind') if isinstance(doc, dict) else ''}/{name}".strip()
        raise AssertionError(f"{label} is not a valid Kubernetes object:\n  " + "\n  ".join(found))


def load_documents(path: Path) -> list[Any]:
    with open(path, encoding="utf-8") as handle:
        return [d for d in yaml.safe_load_all(handle) if d is not None]


def assert_tree_valid(root: Path) -> int:
    """Validate every object of every YAML file under ``root``; returns how many.

    Without CRDs, the core objects are still validated, and the test then
    skips, naming how many custom resources went unchecked."""
    import pytest

    count, unchecked, reason = 0, 0, ""
    for path in sorted(root.rglob("*.yaml")):
        for doc in load_documents(path):
            try:
                assert_valid(doc, str(path.relative_to(root)))
            except pytest.skip.Exception as exc:
                unchecked, reason = unchecked + 1, str(exc)
            count += 1
    if unchecked:
        pytest.skip(f"{reason} ({unchecked} of {count} objects unchecked)")
    return count


def _skip(reason: str) -> None:
    import pytest

    pytest.skip(reason)
