"""The stages in order: load -> validate -> model -> generate -> render -> write."""
from __future__ import annotations

from pathlib import Path

from . import load, model, validate
from .render import Rendered


def load_valid(catalogue: str) -> model.Catalogue:
    """The model of a catalogue file, or CatalogueError with every problem in it."""
    doc = load.load_file(catalogue)
    validate.validate(doc)
    return model.build(doc)


def synthesize(catalogue: str) -> Rendered:
    """Every output file's bytes, built with cdk8s; nothing is written."""
    from .generate import generate  # cdk8s (and Node) only once the input is valid
    from .render import render

    return render(generate(load_valid(catalogue)), catalogue)


def write_output(out: Path, rendered: Rendered) -> None:
    from .write import write

    write(out, rendered.files)
