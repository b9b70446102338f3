"""Credentials written into the catalogue: found, refused, never shown.

opsgen writes catalogue text into dist/, which is committed and deployed: a
credential in the catalogue would end up there. Every string of the catalogue
(keys too) is scanned in process with Yelp's detect-secrets (its token
detectors, and its entropy measure on long hex and base64 words), plus
structural rules for the places where the issue found them:

- a Slack webhook URL as ``channel``; a value (a URL, a 32-hex PagerDuty
  routing key) where a receiver's ``key`` should name a key of the Secret;
- ``user:password@`` in ``kafka.bootstrapServers``, and any user info in a
  runbook URL;
- a query string in ``metrics.path`` (where tokens go; Prometheus would not
  send it anyway: it escapes the ``?``);
- an alert label named like a credential (password, token, secret ...).

Each finding is a located error that names the kind of credential but never
the value; ``hidden`` holds the values so that no other message echoes them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator, Sequence

from opsgen.errors import Location, Problem

Path = tuple["str | int", ...]
SHOWN_INSTEAD = "<not shown>"
ADVICE = "keep credentials in a Kubernetes Secret and reference it by name"

_WORD = re.compile(r"[A-Za-z0-9+/=_-]{20,}")  # candidates for the entropy measure
_HEX = re.compile(r"[0-9a-fA-F]{20,}")
_ROUTING_KEY = re.compile(r"[0-9a-fA-F]{32}")
_SECRET_KEY_NAME = re.compile(r"[-._a-zA-Z0-9]{1,253}")
_USERINFO_HOST = re.compile(r"(?:^|[\s,/])[^\s,/@:]+:[^\s,/@]*@")
_USERINFO_HOST_PORT = re.compile(r"[^\s,/@:]+:[^\s,/@]+@[\w.-]+:[0-9]+")
_CREDENTIAL_PARAMETER = re.compile(r"(?i)[?&](?:access_?token|token|api_?key|apikey|password|passwd|secret|key|auth|signature|sig)=[^&\s]")
_URL_USERINFO = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@")
_CREDENTIAL_NAME = re.compile(r"(?i)pass(word|wd)?$|pwd|secret|token|api_?key|credential|private_?key|^auth")
_SKIPPED = {"Public IP (ipv4)", "Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String"}


@dataclass
class Findings:
    """problems: one located error per credential. hidden: the values, never to be shown."""

    problems: list[Problem] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)

    def add(self, where: Location, shown_path: str, kind: str, value: str) -> None:
        self.problems.append(Problem(where, f"{shown_path}: looks like {kind} ({SHOWN_INSTEAD}); {ADVICE}"))
        self.hidden.add(value)

    def redact(self, message: str) -> str:
        """``message`` without any part of a hidden value: every stretch of it that
        shares WINDOW characters with one (as written, or escaped as messages show
        text) is replaced, so a cut-short or escaped echo is caught too."""
        covered = [False] * len(message)
        for value in self.hidden:
            for form in {value, repr(value)[1:-1]}:
                _cover(message, form, covered)
        if not any(covered):
            return message
        out, previous = [], False
        for char, hide in zip(message, covered):
            if hide and not previous:
                out.append(SHOWN_INSTEAD)
            elif not hide:
                out.append(char)
            previous = hide
        return "".join(out)


WINDOW = 8


def _cover(message: str, form: str, covered: list[bool]) -> None:
    for i in range(max(1, len(form) - WINDOW + 1)):
        window = form[i : i + WINDOW]
        if len(window) < min(WINDOW, len(form)) or len(window) < 4:
            continue
        at = message.find(window)
        while at >= 0:
            covered[at : at + len(window)] = [True] * len(window)
            at = message.find(window, at + 1)


def scan(data: Any, locate: Callable[..., Location], display: Callable[[Sequence["str | int"]], str]) -> Findings:
    """Every credential in the catalogue ``data``; ``locate(path, value=True)``
    and ``display(path)`` say where, as validate does."""
    found = Findings()
    for path, text, is_key in _suspects(data):
        kind = detect(text)
        hidden = set(_parts(text)) if kind else {text}
        kind = kind or (None if is_key else _structural(path, text) or _credential_label(path))
        if kind is not None:
            shown = display(path[:-1] if is_key else path) or "the catalogue"  # a key is never shown
            for value in hidden:
                found.add(locate(path, value=not is_key), shown, f"{kind} (a key)" if is_key else kind, value)
    return found


_STRUCTURAL_KEYS = frozenset({"channel", "key", "bootstrapServers", "runbookBaseUrl", "runbook", "path"})


def _suspects(data: Any) -> Iterator[tuple[Path, str, bool]]:
    """(path, text, is it a key) for every string that a detector flags or that a
    structural rule must see; iterative (any depth), paths built only for those."""
    stack: list[tuple[Path, Any]] = [((), data)]
    seen: set[int] = set()
    while stack:
        path, value = stack.pop()
        if id(value) in seen:  # an alias: its strings were scanned where it is defined
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            labels = path[-1:] == ("labels",)
            for key, item in value.items():
                if isinstance(item, str):
                    if labels or key in _STRUCTURAL_KEYS or _maybe(item):
                        yield path + (key,), item, False
                elif isinstance(item, (dict, list)):
                    stack.append((path + (key,), item))
                if isinstance(key, str) and detect(key):
                    yield path + (key,), key, True
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    if _maybe(item):
                        yield path + (index,), item, False
                elif isinstance(item, (dict, list)):
                    stack.append((path + (index,), item))


def _maybe(text: str) -> bool:
    """A detector flags it, or a structural rule for any string may (user info, query)."""
    return "@" in text or "?" in text or detect(text) is not None


@lru_cache(maxsize=65536)
def detect(text: str) -> "str | None":
    """The kind of credential ``text`` holds (detect-secrets' name for it), or None."""
    if len(text) < 8:
        return None
    if any(_any_token().search(w) for w in _windows(text)):  # one pass for every detector; then which one
        for window in _windows(text):
            for kind, plugin in _plugins():
                for _ in plugin.analyze_string(window):
                    return _article(kind)
    return _entropy(text) if _WORD.search(text) else None


WINDOW_SPAN = 512  # detectors see a long text in overlapping windows of this size


def _windows(text: str) -> Iterator[str]:
    """``text``, or for a long one overlapping windows (any credential of up to
    half a window lies whole in one): some detector patterns backtrack over the
    whole text from every position ('eyJ' * 10,000 took 0.3 s, 1 MB of it minutes)."""
    if len(text) <= WINDOW_SPAN:
        yield text
        return
    step = WINDOW_SPAN // 2
    for start in range(0, len(text) - step, step):
        yield text[start : start + WINDOW_SPAN]


def _parts(text: str) -> list[str]:
    """The credentials themselves within ``text`` (what a detector matched)."""
    found = [m.group(0) for w in _windows(text) for _, plugin in _plugins() for regex in plugin.denylist for m in regex.finditer(w) if m.group(0)]
    found += [word for word in _HEX.findall(text) + _WORD.findall(text) if _entropy(word)]
    return found or [text]


def _entropy(text: str) -> "str | None":
    """detect-secrets' high-entropy rule, on whole words (catalogue values are not quoted code)."""
    hex_plugin, base64_plugin = _entropy_plugins()
    for run in _HEX.findall(text):
        if hex_plugin.calculate_shannon_entropy(run) > hex_plugin.entropy_limit:
            return "a hex token (high entropy)"
    for word in _WORD.findall(text):
        if base64_plugin.calculate_shannon_entropy(word) > base64_plugin.entropy_limit and _mixed(word):
            return "a base64 token (high entropy)"
    return None


def _mixed(word: str) -> bool:
    """Upper case, lower case and digits: base64 of random bytes, not a long name."""
    return any(c.isupper() for c in word) and any(c.islower() for c in word) and any(c.isdigit() for c in word)


def _structural(path: Path, text: str) -> "str | None":
    tail = path[-2:]
    if tail[-1:] == ("channel",) and ("://" in text or "hooks.slack.com" in text):
        return "a Slack webhook URL (the channel is a name such as #alerts)"
    if tail[-1:] == ("key",) and len(path) >= 3 and path[-3] == "alerting":
        if _ROUTING_KEY.fullmatch(text):
            return "a PagerDuty routing key (key names the key of the Secret that holds it)"
        if not _SECRET_KEY_NAME.fullmatch(text):
            return "a value rather than the name of a key of the Secret"
    if tail[-1:] == ("bootstrapServers",) and _USERINFO_HOST.search(text):
        return "a user name and password (user:password@)"
    if _USERINFO_HOST_PORT.search(text):
        return "a user name and password (user:password@host:port)"
    if _CREDENTIAL_PARAMETER.search(text):
        return "a credential in a query string"
    if tail[-1:] in (("runbookBaseUrl",), ("runbook",)) and _URL_USERINFO.search(text):
        return "credentials in a URL (user:password@)"
    if tail == ("metrics", "path") and "?" in text:
        return "a query string (where tokens go; Prometheus escapes '?' and never sends it)"
    return None


def _credential_label(path: Path) -> "str | None":
    """An alert label named like a credential: its value would be one."""
    if len(path) >= 3 and path[-2] == "labels" and isinstance(path[-1], str) and _CREDENTIAL_NAME.search(path[-1]):
        return f"a credential (a label named '{path[-1]}')"
    return None


def _article(kind: str) -> str:
    return f"{'an' if kind[0].lower() in 'aeiou' else 'a'} {kind}"


@lru_cache(maxsize=1)
def _plugins() -> tuple[tuple[str, Any], ...]:
    """detect-secrets' token detectors (regexes of known credential formats)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    mapping = get_mapping_from_secret_type_to_class()
    return tuple((kind, cls()) for kind, cls in sorted(mapping.items()) if kind not in _SKIPPED)


@lru_cache(maxsize=1)
def _any_token() -> "re.Pattern[str]":
    """Every detector's patterns as one alternation (each keeps its own flags)."""
    names = {re.IGNORECASE: "i", re.VERBOSE: "x", re.MULTILINE: "m", re.DOTALL: "s"}
    parts = []
    for _, plugin in _plugins():
        for pattern in plugin.denylist:
            flags = "".join(letter for flag, letter in names.items() if pattern.flags & flag)
            parts.append(f"(?{flags}:{pattern.pattern})" if flags else f"(?:{pattern.pattern})")
    return re.compile("|".join(parts))


@lru_cache(maxsize=1)
def _entropy_plugins() -> tuple[Any, Any]:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

    return HexHighEntropyString(), Base64HighEntropyString()
