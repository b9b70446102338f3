"""What synth, check and diff print once the output is built: the summary per
environment, drift and stack problems in every --format, warnings (the CLI's
output side; cli.py parses arguments and handles errors)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opsgen import report
from opsgen.usage import CHANGES, FAILED, OK

if TYPE_CHECKING:
    from opsgen.stack import Report


def synth(out: Path, rendered) -> int:
    from opsgen import pipeline

    for warning in pipeline.write_output(out, rendered):
        print(f"opsgen: warning: {warning}", file=sys.stderr)
    return summary(str(out), rendered)


def summary(out: str, rendered) -> int:
    """One line per environment; the output is written by now, whatever happens to stdout."""
    try:
        for directory, objects, files in rendered.summary:
            shown = os.path.join(out, directory).rstrip("/")
            print(f"opsgen: {shown}: {objects} objects in {files} files")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # synth >/dev/full
        drop_stdout()
        print(
            f"opsgen: {out} was written, but its summary could not be printed: {exc.strerror or exc}", file=sys.stderr
        )
        return FAILED
    return OK


def machine_format(args: argparse.Namespace) -> bool:
    return getattr(args, "format", report.TEXT) in (report.GITHUB, report.JSON)


def warn(warnings) -> None:
    from opsgen.errors import warning_line

    for problem in warnings:
        print(warning_line(problem), file=sys.stderr)


def check(out: Path, rendered, stack: Report | None) -> int:
    from opsgen.output.write import compare

    drift = compare(out, rendered.files)
    problems, unchecked = (stack.problems, stack.unchecked) if stack else ((), ())
    for line in drift.notes():
        print(f"opsgen: {out}: {line}")
    for note in unchecked:
        print(f"opsgen: stack: {note}")
    for line in drift.lines():
        print(f"opsgen: {out}: {line}", file=sys.stderr)
    for problem in problems:
        print(f"opsgen: stack: {problem}", file=sys.stderr)
    if drift.clean and not problems:
        print(f"opsgen: {out} is up to date ({len(rendered.files)} files)")
        return OK
    if not drift.clean:
        print(
            "opsgen: the output is stale; 'opsgen diff' shows the changes; run 'opsgen synth' (make synth) and commit the result",
            file=sys.stderr,
        )
    return CHANGES


def check_report(out: Path, rendered, stack: Report | None, form: str) -> int:
    from opsgen.output.write import compare

    drift = compare(out, rendered.files)
    problems, unchecked = (stack.problems, stack.unchecked) if stack else ((), ())
    stale = (
        [(p, "missing") for p in drift.missing]
        + [(p, "changed") for p in drift.changed]
        + [(p, "extra") for p in drift.extra]
    )
    found = [
        report.at_file(os.path.join(str(out), p), f"{what}: synth would change this file; 'opsgen diff' shows how")
        for p, what in stale
    ]
    found += [report.at_file(os.path.join(str(out), p), "not generated, kept", "notice") for p in drift.kept]
    found += report.from_problems(problems) + report.from_problems(unchecked, "notice")
    sys.stdout.write(report.render(found, form))
    return OK if drift.clean and not problems else CHANGES


def diff(out: Path, rendered, form: str) -> int:
    from opsgen.output import diff

    found = diff.changes(out, rendered.files)
    if form == report.MARKDOWN:
        sys.stdout.write(diff.markdown(out, found))
    elif form in (report.GITHUB, report.JSON):
        sys.stdout.write(report.render(diff.findings(out, found), form))
    elif found:
        sys.stdout.write(diff.text(out, found))
        print(f"opsgen: {diff.summary(found)}; run 'opsgen synth' (make synth) to write them", file=sys.stderr)
    else:
        print(f"opsgen: {out} is up to date; nothing would change")
    return CHANGES if found else OK


def drop_stdout() -> None:
    """Send what is still buffered for stdout nowhere: the exit's own flush must not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a file (tests capture it)
