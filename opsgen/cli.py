"""The ``opsgen`` command: synth, check, validate, schema.

Exit codes: 0 ok; 1 invalid catalogue or stale output; 2 usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from opsgen.errors import CatalogueError

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
    _add_schema(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from opsgen.catalogue.schema import schema_json

        sys.stdout.write(_schema_text(args) or schema_json())
        return 0
    if args.command == "synth" and (unusable := _unusable_output(Path(args.out), args.catalogue)):
        print(f"opsgen: error: {unusable}", file=sys.stderr)
        return 2
    try:
        return _run(args)
    except OSError as exc:  # disk full, permissions: the old output is whole (write.py)
        verb, after = ("write", "; nothing changed") if args.command == "synth" else ("read", "")
        print(f"opsgen: cannot {verb} {getattr(args, 'out', args.catalogue)}: {exc.strerror or exc}{after}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        after = f"; {args.out} holds the old output or the new one, never a mix" if args.command == "synth" else ""
        print(f"opsgen: interrupted{after}", file=sys.stderr)
        return 130
    except CatalogueError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"opsgen: {count} problem{'s' if count != 1 else ''} in {args.catalogue}; nothing written", file=sys.stderr)
        return 1


def _add_schema(commands: argparse._SubParsersAction) -> None:
    text = "print the catalogue's JSON Schema"
    shown = commands.add_parser("schema", help=text, description=text).add_mutually_exclusive_group()
    shown.add_argument("--include", action="store_true", help="the schema of an included file (services.include.schema.json)")
    shown.add_argument("--markdown", action="store_true", help="the field reference docs/catalogue.md, generated from the schema")


def _schema_text(args: argparse.Namespace) -> str | None:
    """What ``schema --include`` or ``--markdown`` prints (None: the catalogue's schema)."""
    from opsgen.catalogue import reference, schema

    if args.markdown:
        return reference.markdown()
    return schema.included_schema_json() if args.include else None


def _unusable_output(out: Path, catalogue: str) -> str | None:
    """Synth replaces the whole output directory: never a file, and never a
    directory holding the catalogue (``-o .`` would swap out the repository)."""
    if out.exists() and not out.is_dir():
        return f"the output {out} exists and is not a directory"
    resolved, home = out.resolve(), Path(catalogue).resolve().parent
    if resolved == home or resolved in home.parents:
        return f"the output directory {out} contains the catalogue {catalogue}; use a directory of its own (default {DEFAULT_OUT})"
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
    pipeline.write_output(Path(args.out), rendered)
    for directory, objects, files in rendered.summary:
        shown = os.path.join(args.out, directory).rstrip("/")
        print(f"opsgen: {shown}: {objects} objects in {files} files")
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
