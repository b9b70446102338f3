"""What a catalogue repository's main.py runs under ``npx cdk8s synth`` (cdk8s.yaml:
app ``python3 main.py``, output ``cdk8s.out``), so that it writes what ``opsgen synth`` writes.

cdk8s-cli empties its output folder, then runs the app with CDK8S_OUTDIR set and
lists (or, with --stdout, prints) the YAML files found there. So:

- `npx cdk8s synth`: CDK8S_OUTDIR is cdk8s.yaml's output. opsgen writes dist/ as
  `opsgen synth` does (atomically, keeping files it did not write; a catalogue
  with errors changes nothing) and every object as one stream in
  CDK8S_OUTDIR/opsgen.k8s.yaml.
- `npx cdk8s synth --stdout` (or `-o DIR`): CDK8S_OUTDIR is another folder (a
  temporary one that cdk8s-cli prints and removes); only the stream is written
  there, and dist/ is left as it is.
- `python3 main.py`: dist/ only.

When opsgen fails it has said why in its own words; a non-zero exit would make
cdk8s-cli add its own stack trace ("returned a non-zero exit code", from
cdk8s-cli's main().catch). Instead the app leaves the output folder absent (cdk8s-cli
removed it before the run; an empty one is removed) and exits 0: cdk8s-cli then says one
line ("synthesis failed, app expected to create ...") and exits 1.
"""

from __future__ import annotations

import os

from opsgen import cli
from opsgen.conventions import CATALOGUE_FILE, CDK8S_STREAM_FILE, OUTPUT_DIR

CATALOGUE, DIST, CDK8S_CONFIG = CATALOGUE_FILE, OUTPUT_DIR, "cdk8s.yaml"


def _configured_output() -> str | None:
    """cdk8s.yaml's output folder (where `npx cdk8s synth` without --stdout writes)."""
    import yaml

    try:
        with open(CDK8S_CONFIG, encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError):
        return None
    output = config.get("output") if isinstance(config, dict) else None
    return os.path.realpath(output) if isinstance(output, str) else None


def argv(outdir: str | None) -> list[str]:
    args = ["synth", "--catalogue", CATALOGUE, "--out", DIST]
    if outdir is None:
        return args
    args += ["--stream", os.path.join(outdir, CDK8S_STREAM_FILE)]
    return args if os.path.realpath(outdir) == _configured_output() else [*args, "--stream-only"]


def main() -> int:
    outdir = os.environ.get("CDK8S_OUTDIR")
    code = cli.main(argv(outdir))
    if code == 0 or outdir is None:
        return code
    if not os.path.lexists(outdir):
        return 0  # cdk8s-cli removed it before running the app, and a failed synth creates nothing
    try:
        os.rmdir(outdir)  # empty: a failed synth writes nothing there
    except OSError:
        return code  # not empty after all: keep it, and let cdk8s-cli report the exit code
    return 0
