"""What validate, check and diff found, printed for people or for machines.

``--format text`` (the default) is each command's own output; ``--format github``
prints GitHub Actions workflow commands (``::error file=…,line=…,col=…::message``),
which the runner turns into annotations on the pull request; ``--format json``
prints one JSON list of findings (file, line, col, message, severity).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from opsgen.errors import Problem

TEXT, GITHUB, JSON, MARKDOWN = "text", "github", "json", "markdown"
FORMATS = (TEXT, GITHUB, JSON)  # validate and check; diff adds MARKDOWN
SEVERITIES = ("error", "warning", "notice")  # GitHub's annotation levels


@dataclass(frozen=True)
class Finding:
    """One thing to tell, at a file (line and col 0 when there is no position)."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")


def from_problems(problems: Iterable[Problem], severity: str = "error") -> list[Finding]:
    return [Finding(p.location.file, p.location.line, p.location.col, p.message, severity) for p in problems]


def at_file(file: str, message: str, severity: str = "error") -> Finding:
    return Finding(file, 0, 0, message, severity)


# -- GitHub workflow commands (escaping as actions/toolkit's command.ts does) ---------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(finding: Finding) -> str:
    properties = [("file", finding.file)] if finding.file else []
    properties += [(key, str(value)) for key, value in (("line", finding.line), ("col", finding.col)) if value]
    shown = ",".join(f"{key}={_escape_property(value)}" for key, value in properties)
    return f"::{finding.severity}{' ' + shown if shown else ''}::{_escape_data(finding.message)}"


def github(findings: Iterable[Finding]) -> str:
    return "".join(github_command(f) + "\n" for f in findings)


def as_json(findings: Iterable[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def render(findings: list[Finding], form: str) -> str:
    """The findings in a machine format (github or json)."""
    return github(findings) if form == GITHUB else as_json(findings)
