"""The ``opsgen`` command: synth, check, validate, schema.

Exit codes: 0 ok; 1 invalid catalogue or stale output; 2 usage error.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from opsgen.errors import CatalogueError
from opsgen.output.write import OutputRefused, not_an_output_directory

DEFAULT_CATALOGUE = "services.yaml"
DEFAULT_OUT = "dist"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsgen", description="Compile services.yaml into Kubernetes YAML under dist/.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text, has_out in (
        ("synth", "write the output directory from the catalogue", True),
        ("check", "exit 1 unless the output directory is exactly what synth would write", True),
        ("validate", "check the catalogue only", False),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("-c", "--catalogue", default=DEFAULT_CATALOGUE, help=f"catalogue file (default {DEFAULT_CATALOGUE})")
        if has_out:
            sub.add_argument("-o", "--out", default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
    commands.add_parser("schema", help="print the catalogue's JSON Schema", description="print the catalogue's JSON Schema")
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as ^C is: workers stopped, staging removed, one line, exit 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    previous = _on_sigterm(_terminate)
    try:
        code = _main(args)
        sys.stdout.flush()  # here, not at exit, where a failure would be a traceback
    except BrokenPipeError:  # `opsgen schema | head -c0`: the reader has gone; as a SIGPIPE'd tool does, say nothing
        _drop_stdout()
        return 128 + signal.SIGPIPE
    finally:
        _on_sigterm(previous)
    return code


def _on_sigterm(handler: object) -> object:
    try:
        return signal.signal(signal.SIGTERM, handler)  # type: ignore[arg-type]
    except (ValueError, TypeError):  # not the main thread; or no handler to restore
        return None


def _drop_stdout() -> None:
    """Send what is still buffered for stdout nowhere: the exit's own flush must not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a file (tests capture it)


def _main(args: argparse.Namespace) -> int:
    if args.command == "schema":
        from opsgen.catalogue.schema import schema_json

        sys.stdout.write(schema_json())
        return 0
    if args.command in ("synth", "check") and (unusable := _unusable_tmpdir()):
        print(f"opsgen: error: {unusable}", file=sys.stderr)
        return 2
    if args.command == "synth" and (unusable := _unusable_output(Path(args.out), args.catalogue)):
        print(f"opsgen: error: {unusable}", file=sys.stderr)
        return 2
    try:
        return _run(args)
    except OutputRefused as exc:
        for problem in exc.problems:
            print(f"opsgen: error: {problem}", file=sys.stderr)
        print(f"opsgen: {args.out} cannot be written as it is; nothing changed", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise
    except OSError as exc:  # disk full, permissions: the old output is whole (write.py)
        verb, after = ("write", "; nothing changed") if args.command == "synth" else ("read", "")
        print(f"opsgen: cannot {verb} {getattr(args, 'out', args.catalogue)}: {exc.strerror or exc}{after}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        after = f"; {args.out} holds the old output or the new one, never a mix" if args.command == "synth" else ""
        how, code = ("terminated", 128 + signal.SIGTERM) if isinstance(exc, Terminated) else ("interrupted", 130)
        print(f"opsgen: {how}{after}", file=sys.stderr)
        return code
    except CatalogueError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"opsgen: {count} problem{'s' if count != 1 else ''} in {args.catalogue}; nothing written", file=sys.stderr)
        return 1


def _unusable_output(out: Path, catalogue: str) -> str | None:
    """Synth replaces the whole output directory: never a file, and never a
    directory holding the catalogue (``-o .`` would swap out the repository)."""
    if out.exists() and not out.is_dir():
        return f"the output {out} exists and is not a directory"
    resolved, home = out.resolve(), Path(catalogue).resolve().parent
    if resolved == home or resolved in home.parents:
        return f"the output directory {out} contains the catalogue {catalogue}; use a directory of its own (default {DEFAULT_OUT})"
    return not_an_output_directory(out)


def _unusable_tmpdir() -> str | None:
    """Python falls back to /tmp when TMPDIR is unusable, but jsii's Node kernel
    does not (it would fail in a worker, with a traceback): say so first."""
    tmpdir = os.environ.get("TMPDIR")
    if not tmpdir:
        return None
    try:
        os.rmdir(tempfile.mkdtemp(prefix="opsgen-probe-", dir=tmpdir))
    except OSError as exc:
        return f"TMPDIR={tmpdir} is not a usable folder for temporary files ({exc.strerror or exc}); fix or unset it"
    return None


def _run(args: argparse.Namespace) -> int:
    from opsgen import pipeline

    if args.command == "validate":
        pipeline.load_valid(args.catalogue)
        print(f"opsgen: {args.catalogue} is valid")
        return 0
    with pipeline.start_synthesis(args.catalogue) as synthesis:  # cdk8s starts while the catalogue is read
        catalogue = pipeline.load_valid(args.catalogue)
        rendered = synthesis.build(catalogue)
    if args.command == "check":
        return _check(Path(args.out), rendered, pipeline.stack_problems(catalogue))
    for warning in pipeline.write_output(Path(args.out), rendered):
        print(f"opsgen: warning: {warning}", file=sys.stderr)
    return _summary(args.out, rendered)


def _summary(out: str, rendered) -> int:
    """One line per environment; the output is written by now, whatever happens to stdout."""
    try:
        for directory, objects, files in rendered.summary:
            shown = os.path.join(out, directory).rstrip("/")
            print(f"opsgen: {shown}: {objects} objects in {files} files")
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:  # synth >/dev/full
        _drop_stdout()
        print(f"opsgen: {out} was written, but its summary could not be printed: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _check(out: Path, rendered, stack: list[str]) -> int:
    from opsgen.output.write import compare

    drift = compare(out, rendered.files)
    for line in drift.lines():
        print(f"opsgen: {out}: {line}", file=sys.stderr)
    for problem in stack:
        print(f"opsgen: stack: {problem}", file=sys.stderr)
    if drift.clean and not stack:
        print(f"opsgen: {out} is up to date ({len(rendered.files)} files)")
        return 0
    if not drift.clean:
        print("opsgen: the output is stale; run 'opsgen synth' (make synth) and commit the result", file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
