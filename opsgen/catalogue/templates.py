"""Prometheus alert templates (Go text/template, as Prometheus 2.51 expands an
alert's annotations and labels at alert time).

Two directions:

- ``literal(text)``: catalogue text that opsgen pastes into an annotation (a
  topic, a consumer group, a runbook URL) must stay text. A topic named
  ``x{{ range query "..." }}`` would otherwise become template code that
  Prometheus runs on every evaluation. Every ``{`` becomes the action
  ``{{ "{" }}``, which prints one brace, so no action can start inside it.
- ``problems(text)``: what users write as templates (``summary``,
  ``description``, label values of their alerts) is checked at validate time, in
  process, with a small reader of Go's action syntax: actions are closed, blocks
  (``if``/``range``/``with`` ... ``end``) balance, and only the functions and
  variables Prometheus provides are used. ``query`` is refused: it runs PromQL
  at alert time, unchecked by opsgen (metric names, Prometheus version) and on
  every evaluation; put what it would read in the alert's ``expr`` instead.
"""
from __future__ import annotations

import re

# Go text/template built-ins, then Prometheus 2.51's template functions (template/template.go).
FUNCTIONS = frozenset(
    """and call html index slice js len not or print printf println urlquery eq ge gt le lt ne
    first label value strvalue args reReplaceAll safeHtml match title toUpper toLower graphLink tableLink
    sortByLabel stripPort stripDomain humanize humanize1024 humanizeDuration humanizePercentage
    humanizeTimestamp toTime pathPrefix externalURL parseDuration""".split()
)
REFUSED = {"query": "templates may not run queries ('query'): they run on every evaluation, unchecked; use the alert's expr"}
KEYWORDS = frozenset("if else end range with break continue nil true false".split())
UNSUPPORTED = frozenset("define template block".split())
VARIABLES = frozenset({"$", "$labels", "$value", "$externalLabels", "$externalURL"})
FIELDS = frozenset({"Labels", "Value", "ExternalLabels", "ExternalURL"})
BLOCKS = frozenset({"if", "range", "with"})
COMMENT = "/* */"

_TOKEN = re.compile(
    r"""\s+|(?P<string>"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)+')"""
    r"""|(?P<number>[-+]?(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+))"""
    r"""|(?P<variable>\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)"""
    r"""|(?P<field>(?:\.[A-Za-z0-9_]+)+|\.)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)"""
    r"""|(?P<punct>:=|=|\||\(|\)|,)"""
)


def literal(text: str) -> str:
    """``text`` as a template that prints exactly ``text``."""
    return text.replace("{", '{{ "{" }}') if "{" in text else text


def problems(text: str) -> list[str]:
    """Why ``text`` is not a template Prometheus 2.51 expands (opsgen's subset); [] when it is."""
    reader = _Reader()
    position = 0
    while True:
        start = text.find("{{", position)
        if start < 0:
            break
        action, position = _action(text, start)
        if action is None:
            return reader.found + ["an action opened with '{{' is not closed with '}}' (write {{ \"{{\" }} for literal braces)"]
        reader.action(action)
    if reader.blocks:
        reader.found.append(f"'{{{{ {reader.blocks[-1]} }}}}' has no '{{{{ end }}}}'")
    return list(dict.fromkeys(reader.found))


def _action(text: str, start: int) -> tuple["str | None", int]:
    """The inside of the action at ``start`` (trim markers and comments removed)
    and where it ends; None when it never closes. ``}}`` inside a string does not close it."""
    i = start + 2
    if text.startswith("/*", i) or text.startswith("- /*", i):
        end = text.find("*/", i)
        close = _close_after(text, end + 2) if end >= 0 else -1
        return (COMMENT if close >= 0 else None), close
    quote = None
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\" and quote != "`":
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        elif text.startswith("}}", i):
            inner = text[start + 2 : i]
            return _trim(inner), i + 2
        i += 1
    return None, len(text)


def _close_after(text: str, i: int) -> int:
    rest = text[i:]
    stripped = rest.lstrip(" \t\r\n-")
    return i + (len(rest) - len(stripped)) + 2 if stripped.startswith("}}") else -1


def _trim(inner: str) -> str:
    if inner.startswith("- ") or inner.startswith("-\t") or inner.startswith("-\n"):
        inner = inner[2:]
    if inner.endswith(" -") or inner.endswith("\t-") or inner.endswith("\n-"):
        inner = inner[:-2]
    return inner


class _Reader:
    """Reads actions one by one: block nesting, declared variables, names used."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.blocks: list[str] = []
        self.variables = set(VARIABLES)

    def action(self, inner: str) -> None:
        if inner == COMMENT:
            return
        tokens = _tokens(inner)
        if tokens is None:
            self.found.append("an action holds something that is not template syntax")
            return
        if not tokens:
            if inner.strip():
                return
            self.found.append("an empty action '{{ }}'")
            return
        self._block(tokens)
        self._names(tokens)

    def _block(self, tokens: list[tuple[str, str]]) -> None:
        kind, first = tokens[0]
        if first == "|":
            self.found.append("an action starts with '|'")
        if kind != "word":
            return
        if first in BLOCKS and len(tokens) == 1:
            self.found.append(f"'{{{{ {first} }}}}' needs a value to test")
        if first in BLOCKS:
            self.blocks.append(first)
        elif first == "end":
            if not self.blocks:
                self.found.append("'{{ end }}' without an 'if', 'range' or 'with' to end")
            else:
                self.blocks.pop()
        elif first == "else" and not self.blocks:
            self.found.append("'{{ else }}' outside an 'if', 'range' or 'with'")
        elif first in ("break", "continue") and "range" not in self.blocks:
            self.found.append(f"'{{{{ {first} }}}}' outside a 'range'")

    def _names(self, tokens: list[tuple[str, str]]) -> None:
        depth = 0
        values = [value for _, value in tokens]
        assigned = next((i for i, v in enumerate(values) if v in (":=", "=")), -1)
        for index, (kind, value) in enumerate(tokens):
            if kind == "punct":
                depth += {"(": 1, ")": -1}.get(value, 0)
                if depth < 0:
                    self.found.append("a ')' without its '('")
                    return
            elif kind == "variable" and index < assigned:  # $x := ..., range $k, $v := ...
                self.variables.add(value.split(".")[0])
            elif kind == "variable" and value.split(".")[0] not in self.variables:
                self.found.append(f"unknown variable '{value.split('.')[0]}' (known: $labels, $value, $externalLabels, $externalURL)")
            elif kind == "field" and value != "." and value.split(".")[1] not in FIELDS and not {"range", "with"} & set(self.blocks):
                self.found.append(f"unknown field '.{value.split('.')[1]}' (known: .Labels, .Value, .ExternalLabels, .ExternalURL)")
            elif kind == "word":
                self._word(value.split(".")[0])
        if depth:
            self.found.append("a '(' without its ')'")

    def _word(self, word: str) -> None:
        if word in REFUSED:
            self.found.append(REFUSED[word])
        elif word in UNSUPPORTED:
            self.found.append(f"'{word}' is not supported in alert templates")
        elif word not in FUNCTIONS and word not in KEYWORDS:
            self.found.append(f"unknown function '{word}'")


def _tokens(inner: str) -> "list[tuple[str, str]] | None":
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(inner):
        match = _TOKEN.match(inner, position)
        if match is None:
            return None
        position = match.end()
        if match.lastgroup:
            out.append((match.lastgroup, match.group()))
    return out
