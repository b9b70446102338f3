"""The ``opsgen`` command: synth, check, diff, show, validate, schema, init.

Exit codes (opsgen/usage.py, shown by every --help): 0 ok; 1 changes (check:
stale, diff: would change); 2 usage (also an unknown service, no usable Node);
3 invalid catalogue; 4 the output could not be read or written.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from opsgen import conventions as conv
from opsgen import report, results, terminal, usage
from opsgen.errors import CatalogueError, EngineFailed, OutputRefused, summary
from opsgen.usage import FAILED, INVALID, OK, USAGE

if TYPE_CHECKING:
    pass

DEFAULT_CATALOGUE = conv.CATALOGUE_FILE
DEFAULT_OUT = conv.OUTPUT_DIR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsgen",
        description="Compile services.yaml into Kubernetes YAML under dist/.",
        epilog=usage.epilog(None),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text, has_out in (
        ("synth", "write the output directory from the catalogue", True),
        ("check", "exit 1 unless the output directory is exactly what synth would write", True),
        ("validate", "check the catalogue only", False),
    ):
        sub = _command(commands, name, text)
        sub.add_argument(
            "-c", "--catalogue", default=DEFAULT_CATALOGUE, help=f"catalogue file (default {DEFAULT_CATALOGUE})"
        )
        if has_out:
            sub.add_argument("-o", "--out", default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
    _add_schema(commands)
    _add_review_commands(commands)
    _add_formats(commands.choices)
    commands.choices["check"].add_argument(
        "--stack",
        action="store_true",
        help="also check the helmfile stack beside the catalogue against it (see README)",
    )
    _add_stream(commands.choices["synth"])
    _add_init(commands)
    parser.add_argument("--version", action="version", version=usage.versions())
    return parser


def _command(commands: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its example and the exit codes."""
    return commands.add_parser(
        name,
        help=text,
        description=text,
        epilog=usage.epilog(name),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_init(commands: argparse._SubParsersAction) -> None:
    init = _command(commands, "init", "scaffold a catalogue repository in DIR (empty or new) for the installed opsgen")
    init.add_argument(
        "dir", metavar="DIR", nargs="?", default=".", help="the folder to create (default: the current one, if empty)"
    )
    init.add_argument(
        "--stack", action="store_true", help="also the helmfile stack (helmfile.yaml, environments/, charts/)"
    )


def _add_stream(synth: argparse.ArgumentParser) -> None:
    synth.add_argument(
        "--stream",
        metavar="FILE",
        help="also write every object, of every environment, as one YAML stream to FILE (npx cdk8s synth uses it)",
    )
    synth.add_argument(
        "--stream-only",
        action="store_true",
        help="with --stream: write only FILE; the output directory is left as it is",
    )


def _add_review_commands(commands: argparse._SubParsersAction) -> None:
    text = "print what synth would change: a unified diff per file, naming the objects added, changed and removed; exit 1 when something would"
    diff = _command(commands, "diff", text)
    diff.add_argument(
        "-c", "--catalogue", default=DEFAULT_CATALOGUE, help=f"catalogue file (default {DEFAULT_CATALOGUE})"
    )
    diff.add_argument("-o", "--out", default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
    text = "print every object of one service as one YAML stream (for kubectl apply --dry-run=server -f -)"
    show = _command(commands, "show", text)
    show.add_argument("service", metavar="SERVICE", help="the service's name")
    show.add_argument("--env", help="the environment (needed when the catalogue has more than one)")
    show.add_argument(
        "-c", "--catalogue", default=DEFAULT_CATALOGUE, help=f"catalogue file (default {DEFAULT_CATALOGUE})"
    )


def _add_formats(subparsers: dict[str, argparse.ArgumentParser]) -> None:
    """--format on validate, check and diff; text is each command's own output."""
    for name, extra in (("validate", ()), ("check", ()), ("diff", (report.MARKDOWN,))):
        choices = (*report.FORMATS, *extra)
        subparsers[name].add_argument(
            "--format",
            choices=choices,
            default=report.TEXT,
            help=f"{', '.join(choices)} (default text): github prints annotations, json a list of findings",
        )


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as ^C is: the worker stopped, staging removed, one line, exit 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    if terminal.closed_stdout():  # said on stderr
        return USAGE
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    command = _subparsers(parser)[args.command]
    if unknown:  # said by the command's own parser, with its usage line (`opsgen synth -q`)
        command.error(f"unrecognized arguments: {' '.join(unknown)}")
    if getattr(args, "stream_only", False) and not args.stream:
        command.error("--stream-only needs --stream FILE")
    previous = _on_sigterm(_terminate)
    try:
        code = _main(args)
        sys.stdout.flush()  # here, not at exit, where a failure would be a traceback
    except BrokenPipeError:  # `opsgen schema | head -c0`: the reader has gone; as a SIGPIPE'd tool does, say nothing
        results.drop_stdout()
        return 128 + signal.SIGPIPE
    finally:
        _on_sigterm(previous)
    return code


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices


def _on_sigterm(handler: object) -> object:
    try:
        return signal.signal(signal.SIGTERM, handler)  # type: ignore[arg-type]
    except (ValueError, TypeError):  # not the main thread; or no handler to restore
        return None


def _main(args: argparse.Namespace) -> int:
    if args.command == "schema":
        from opsgen.catalogue.schema import schema_json

        sys.stdout.write(_schema_text(args) or schema_json())
        return OK
    if args.command == "init":
        return _init(args)
    try:  # ^C and the rest are handled from the first check on (Node's probe included)
        if unusable := _unusable_environment(args):
            print(f"opsgen: error: {unusable}", file=sys.stderr)
            return USAGE
        return _run(args)
    except OutputRefused as exc:
        for problem in exc.problems:
            print(f"opsgen: error: {problem}", file=sys.stderr)
        print(f"opsgen: {args.out} cannot be written as it is; nothing changed", file=sys.stderr)
        return FAILED
    except EngineFailed as exc:
        print(f"opsgen: error: {exc}", file=sys.stderr)
        return FAILED
    except BrokenPipeError:
        raise
    except OSError as exc:  # disk full, permissions: the old output is whole (write.py)
        verb, after = ("write", "; nothing changed") if args.command == "synth" else ("read", "")
        print(
            f"opsgen: cannot {verb} {getattr(args, 'out', args.catalogue)}: {exc.strerror or exc}{after}",
            file=sys.stderr,
        )
        return FAILED
    except KeyboardInterrupt as exc:
        after = f"; {args.out} holds the old output or the new one, never a mix" if args.command == "synth" else ""
        how, code = ("terminated", 128 + signal.SIGTERM) if isinstance(exc, Terminated) else ("interrupted", 130)
        print(f"opsgen: {how}{after}", file=sys.stderr)
        return code
    except CatalogueError as exc:
        return _invalid(args, exc)


def _invalid(args: argparse.Namespace, exc: CatalogueError) -> int:
    """Every problem of an invalid catalogue, in the asked format, and the summary line."""
    if results.machine_format(args):
        sys.stdout.write(report.render(report.from_problems(exc.problems), args.format))
    else:
        for found in exc.problems:
            print(found, file=sys.stderr)
    after = "; nothing written" if args.command == "synth" else ""  # the others never write
    print(f"opsgen: {summary(exc.problems, args.catalogue)}{after}", file=sys.stderr)
    return INVALID


def _unusable_environment(args: argparse.Namespace) -> str | None:
    """What stops synthesis before it starts: TMPDIR, the output folder, Node."""
    if args.command not in ("synth", "check", "diff", "show"):
        return None
    if unusable := _unusable_tmpdir():
        return unusable
    if (
        args.command == "synth"
        and not args.stream_only
        and (unusable := _unusable_output(Path(args.out), args.catalogue))
    ):
        return unusable
    from opsgen.synth import node

    return node.unusable()


def _init(args: argparse.Namespace) -> int:
    from opsgen import scaffold

    try:
        written = scaffold.create(Path(args.dir), stack=args.stack)
    except scaffold.Refused as exc:
        print(f"opsgen: error: {exc}", file=sys.stderr)
        return USAGE
    except OSError as exc:
        print(f"opsgen: cannot write {args.dir}: {exc.strerror or exc}", file=sys.stderr)
        return FAILED
    print(f"opsgen: {args.dir}: {len(written)} files; next: cd {args.dir} && opsgen synth && opsgen check")
    return OK


def _add_schema(commands: argparse._SubParsersAction) -> None:
    text = "print the catalogue's JSON Schema"
    shown = _command(commands, "schema", text).add_mutually_exclusive_group()
    shown.add_argument(
        "--include", action="store_true", help="the schema of an included file (services.include.schema.json)"
    )
    shown.add_argument(
        "--markdown", action="store_true", help="the field reference docs/catalogue.md, generated from the schema"
    )


def _schema_text(args: argparse.Namespace) -> str | None:
    """What ``schema --include`` or ``--markdown`` prints (None: the catalogue's schema)."""
    from opsgen.catalogue import reference, schema

    if args.markdown:
        return reference.markdown()
    return schema.included_schema_json() if args.include else None


def _unusable_output(out: Path, catalogue: str) -> str | None:
    """Synth replaces the whole output directory: never a file, and never a
    directory holding the catalogue (``-o .`` would swap out the repository)."""
    from opsgen.output.write import not_an_output_directory, unusable_path

    if unusable := unusable_path(out):
        return unusable
    if out.exists() and not out.is_dir():
        return f"the output {out} exists and is not a directory"

    # realpath, not Path.resolve: a link to itself is an error there (RuntimeError), a path here
    resolved, home = Path(os.path.realpath(out)), Path(os.path.realpath(catalogue)).parent
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
        warnings = pipeline.catalogue_warnings(pipeline.load_valid(args.catalogue))
        if results.machine_format(args):
            sys.stdout.write(report.render(report.from_problems(warnings, "warning"), args.format))
        else:
            results.warn(warnings)
            print(f"opsgen: {args.catalogue} is valid")
        return OK
    if args.command == "show":
        return _show(args)
    with pipeline.start_synthesis() as synthesis:  # cdk8s starts while the catalogue is read
        catalogue = pipeline.load_valid(args.catalogue)
        results.warn(pipeline.catalogue_warnings(catalogue))
        rendered = synthesis.build(catalogue)
    if args.command == "diff":
        return results.diff(Path(args.out), rendered, args.format)
    if args.command == "check":
        stack = pipeline.stack_report(catalogue) if args.stack else None
        if results.machine_format(args):
            return results.check_report(Path(args.out), rendered, stack, args.format)
        return results.check(Path(args.out), rendered, stack)
    code = 0 if args.stream_only else results.synth(Path(args.out), rendered)
    if args.stream:  # one line either way; the output directory's fate said when the stream fails
        from opsgen.output import stream  # here: validate imports no output module

        objects, written = sum(n for _, n, _ in rendered.summary), None if args.stream_only else args.out
        code = code if stream.write_or_say(Path(args.stream), stream.join(rendered.files), objects, written) else FAILED
    return code


def _show(args: argparse.Namespace) -> int:
    from opsgen import pipeline
    from opsgen.output import show

    with pipeline.start_synthesis() as synthesis:
        catalogue = pipeline.load_valid(args.catalogue)
        try:
            env, service = show.find(catalogue, args.service, args.env)
        except show.UnknownName as exc:
            print(f"opsgen: error: {exc}", file=sys.stderr)
            return USAGE
        rendered = synthesis.build(catalogue)
    sys.stdout.write(show.stream(rendered.files, show.paths(env, service)).decode("utf-8"))
    return OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
