"""cdk8s entry point (cdk8s.yaml: app "python main.py", output "cdk8s.out").

cdk8s-cli empties its output folder, then runs this with CDK8S_OUTDIR set and
lists (or, with --stdout, prints) the YAML files found there. So:

- `npx cdk8s synth`: CDK8S_OUTDIR is cdk8s.yaml's output. opsgen writes dist/ as
  `opsgen synth` does (atomically, keeping files it did not write; a catalogue
  with errors changes nothing) and every object as one stream in
  CDK8S_OUTDIR/opsgen.k8s.yaml.
- `npx cdk8s synth --stdout` (or `-o DIR`): CDK8S_OUTDIR is another folder (a
  temporary one that cdk8s-cli prints and removes); only the stream is written
  there, and dist/ is left as it is.
- `python main.py`: dist/ only.
"""
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
_VENV_PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
CATALOGUE, DIST, CDK8S_CONFIG = "services.yaml", "dist", "cdk8s.yaml"


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
    from opsgen.conventions import CDK8S_STREAM_FILE

    args = ["synth", "--catalogue", CATALOGUE, "--out", DIST]
    if outdir is None:
        return args
    args += ["--stream", os.path.join(outdir, CDK8S_STREAM_FILE)]
    return args if os.path.realpath(outdir) == _configured_output() else [*args, "--stream-only"]


if __name__ == "__main__":
    if os.path.exists(_VENV_PYTHON) and os.path.realpath(sys.prefix) != os.path.realpath(os.path.dirname(os.path.dirname(_VENV_PYTHON))):
        os.execv(_VENV_PYTHON, [_VENV_PYTHON, *sys.argv])  # `python` on PATH may lack the pinned packages
    from opsgen.cli import main

    sys.exit(main(argv(os.environ.get("CDK8S_OUTDIR"))))
