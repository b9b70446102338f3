"""The stages in order: load -> validate -> model -> generate -> render -> write."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from opsgen.catalogue import alert_checks, argocd_checks, include, load, model, objects, scaling_checks, validate
from opsgen.errors import CatalogueError, Problem

if TYPE_CHECKING:  # render imports cdk8s: only once there is something to synthesize
    from opsgen.output.parallel import Worker
    from opsgen.output.render import Rendered
    from opsgen.stack import Report


def load_valid(catalogue: str) -> model.Catalogue:
    """The model of a catalogue file (with the files it includes), or
    CatalogueError with every problem in them."""
    with load.paused_gc():  # linear time on large catalogues (load.paused_gc)
        doc, problems = include.load_catalogue(catalogue)
        try:
            validate.validate(doc)
        except CatalogueError as exc:
            raise CatalogueError([*problems, *exc.problems]) from None
        if problems:
            raise CatalogueError(problems)
        built = model.build(doc)
        objects.check(built)  # object names and alert names unique per environment
        warnings = alert_checks.check(built)  # PromQL, metric names, exposition files, buckets
        warnings += scaling_checks.warnings(doc)  # maxReplicas beyond the topic's partitions
        warnings += argocd_checks.warnings(doc)  # Argo CD settings that write nothing
    return replace(built, warnings=warnings)


def catalogue_warnings(catalogue: model.Catalogue) -> list[Problem]:
    """Located warnings about a valid catalogue: printed, the exit status stays 0."""
    return list(catalogue.warnings)


def synthesize(catalogue: model.Catalogue) -> Rendered:
    """Every output file's bytes, built with cdk8s; nothing is written.
    Built in a worker process (see parallel.py)."""
    from opsgen.output.parallel import synthesize as build

    return build(catalogue)


def start_synthesis() -> Worker:
    """The worker process that starts cdk8s now, for a catalogue once it is
    loaded: ``with start_synthesis() as s: s.build(load_valid(f))``."""
    from opsgen.output.parallel import start

    return start()


def stack_report(catalogue: model.Catalogue) -> Report:
    """``opsgen check --stack``: the stack beside the catalogue against it."""
    from opsgen.stack import Report, report
    from opsgen.stack.helmfile import HELMFILE
    from opsgen.stack.read import at_file

    root = Path(catalogue.file).resolve().parent
    if not (root / HELMFILE).is_file():
        return Report((), (at_file(HELMFILE, f"not checked: there is no {HELMFILE} beside {catalogue.file}"),))
    return report(catalogue, root)


def write_output(out: Path, rendered: Rendered) -> list[str]:
    """Warnings: what appeared in the output directory while synth ran and could not be put back."""
    from opsgen.output.write import write

    return write(out, rendered.files)
