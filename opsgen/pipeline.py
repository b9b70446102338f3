"""The stages in order: load -> validate -> model -> generate -> render -> write."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from opsgen.catalogue import alert_checks, load, model, objects, validate

if TYPE_CHECKING:  # render imports cdk8s: only once there is something to synthesize
    from opsgen.output.parallel import Workers
    from opsgen.output.render import Rendered


def load_valid(catalogue: str) -> model.Catalogue:
    """The model of a catalogue file, or CatalogueError with every problem in it."""
    with load.paused_gc():  # linear time on large catalogues (load.paused_gc)
        doc = load.load_file(catalogue)
        validate.validate(doc)
        built = model.build(doc)
        objects.check(built)  # object names and alert names unique per environment
        alert_checks.check(built)  # PromQL, metric names, exposition files
    return built


def synthesize(catalogue: model.Catalogue) -> "Rendered":
    """Every output file's bytes, built with cdk8s; nothing is written.
    Large catalogues are built by several processes at once (see parallel.py)."""
    from opsgen.output.parallel import synthesize as build

    return build(catalogue)


def start_synthesis(catalogue_file: str) -> "Workers":
    """Worker processes that start cdk8s now, for the catalogue in this file
    once it is loaded: ``with start_synthesis(f) as s: s.build(load_valid(f))``."""
    from opsgen.output.parallel import start

    return start(catalogue_file)


def stack_problems(catalogue: model.Catalogue) -> list[str]:
    """Disagreements between the catalogue and the helmfile stack beside it (none
    when the catalogue's folder carries no stack)."""
    from opsgen.stack import HELMFILE, stack_problems as problems

    root = Path(catalogue.file).resolve().parent
    return problems(catalogue, root) if (root / HELMFILE).is_file() else []


def write_output(out: Path, rendered: "Rendered") -> None:
    from opsgen.output.write import write

    write(out, rendered.files)
