"""What Prometheus 2.51 refuses that promql-parser 0.12 accepts: checked on the parsed tree.

- Durations (a range ``[d]``, a subquery's range and step, ``offset d``) must fit
  Prometheus' int64 nanoseconds (model.ParseDuration: "duration out of range"), at
  most 292 years: ``[300y]`` parses here and fails promtool, which then refuses the
  whole rule file.
- ``@ t`` must be a finite number below 2^63 (parser.setTimestamp).
- Label names that a function creates (``label_replace`` and ``label_join``'s
  destination, ``label_join``'s sources, ``count_values``' label) must be valid
  label names, and ``label_replace``'s regex one Go's regexp compiles: Prometheus
  accepts the expression and then fails every evaluation.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

import promql_parser

MAX_DURATION_NS = 2**63 - 1  # time.Duration
MAX_AT = 2.0**63  # parser.setTimestamp: ts >= float64(math.MaxInt64) is out of bounds
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")  # model.LabelName.IsValid before UTF-8 names (3.0)
_AT = re.compile(r"@\s*([-+]?(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?))")
_WITH_DURATIONS = (promql_parser.MatrixSelector, promql_parser.VectorSelector, promql_parser.SubqueryExpr)


def problems(nodes: Iterable[object], text: str) -> list[str]:
    """Why Prometheus 2.51 refuses an expression (or fails every evaluation of it), beyond
    the parser: ``nodes`` are its parsed nodes (promql.nodes), ``text`` its text with
    string literals emptied."""
    found: list[str] = []
    for node in nodes:
        if isinstance(node, _WITH_DURATIONS):
            found += _duration_problems(node)
        if isinstance(node, promql_parser.Call):
            found += _label_problems(node.func.name, node.args)
        elif isinstance(node, promql_parser.AggregateExpr) and str(node.op) == "count_values":
            found += _label_problems("count_values", [node.param])
    found += _at_problems(text)
    return list(dict.fromkeys(found))


def _duration_problems(node: object) -> list[str]:
    out = []
    for name in ("range", "step", "offset"):
        try:
            value = getattr(node, name, None)
        except (OverflowError, ValueError):  # beyond what the binding converts: far out of range
            value = datetime.timedelta.max
        if isinstance(value, datetime.timedelta) and _nanoseconds(value) > MAX_DURATION_NS:
            shown = "offset" if name == "offset" else f"the {'subquery step' if name == 'step' else 'range'}"
            out.append(
                f"{shown} ({_shown(value)}) is longer than Prometheus' longest duration (about 292 years: 2^63-1 ns)"
            )
    return out


def _nanoseconds(value: datetime.timedelta) -> int:
    return abs(value.days * 86_400_000_000_000 + value.seconds * 1_000_000_000 + value.microseconds * 1000)


def _shown(value: datetime.timedelta) -> str:
    if value == datetime.timedelta.max:
        return "millions of years"
    return f"{abs(value.days) / 365:.2f} years"


# function -> indexes of the arguments that must be label names
_LABEL_ARGUMENTS = {"label_replace": (1,), "count_values": (0,)}

# What Go's regexp (RE2) refuses and Python's re accepts, outside a character class:
# lookaround, atomic groups, conditionals, backreferences, possessive repeats, \Z.
_NOT_RE2 = re.compile(r"\(\?(?:[=!>(]|<[=!]|P=)|\\[1-9Z]|[*+?}]\+")
# What Go's regexp accepts and Python's re does not: then Python's verdict says nothing.
_ONLY_RE2 = re.compile(r"\\[zQEpPC]|\\x\{|\[\[:|\(\?<[A-Za-z_]|\(\?[imsU-]+\)|\(\?[imsU-]*U")
_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def regex_problem(regex: str) -> str | None:
    """Why Go's regexp (RE2) would refuse ``regex`` (label_replace fails every evaluation
    then), or None; conservative: when unsure, None."""
    plain = _outside_classes(regex)
    if _NOT_RE2.search(plain):
        return "uses what Go's regexp (RE2) does not have (lookaround, a backreference, an atomic group, a possessive repeat or \\Z)"
    if any(int(n) > 1000 for match in _REPEAT.finditer(plain) for n in match.groups() if n):
        return "repeats more than 1000 times, which Go's regexp (RE2) refuses"
    if _ONLY_RE2.search(regex):
        return None
    try:
        re.compile(regex)
    except re.error as exc:
        return f"is not a regular expression ({exc.msg})"
    return None


def _outside_classes(regex: str) -> str:
    """``regex`` with every [...] set emptied to '[]' (their content is literal there)."""
    out, i = [], 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if char == "[":
            end = i + 1 + (regex[i + 1 : i + 2] == "^")
            end += regex[end : end + 1] == "]"
            while end < len(regex) and regex[end] != "]":
                end += 2 if regex[end] == "\\" else 1
            out.append("[]")
            i = end + 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _label_problems(function: str, args: Iterable[object]) -> list[str]:
    args = list(args)
    indexes: Iterable[int] = _LABEL_ARGUMENTS.get(function, ())
    if function == "label_join":
        indexes = [1] + list(range(3, len(args)))
    out = []
    for index in indexes:
        arg = args[index] if index < len(args) else None
        if isinstance(arg, promql_parser.StringLiteral) and not LABEL_NAME.fullmatch(arg.val):
            out.append(
                f"{function}: {arg.val!r} is not a label name (letters, digits and '_', not starting with a digit): "
                "Prometheus would fail every evaluation"
            )
    regex = args[4] if function == "label_replace" and len(args) > 4 else None
    if isinstance(regex, promql_parser.StringLiteral) and (why := regex_problem(regex.val)):
        out.append(f"label_replace: the regex {regex.val!r} {why}: Prometheus would fail every evaluation")
    return out


def _at_problems(text: str) -> list[str]:
    out = []
    for match in _AT.finditer(text):
        number = match.group(1)
        value = float(int(number, 16)) if number.lstrip("+-").lower().startswith("0x") else float(number)
        if abs(value) >= MAX_AT:
            out.append(f"the @ timestamp {number} is out of Prometheus' bounds (below 2^63 seconds)")
    return out
