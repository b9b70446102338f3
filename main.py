"""cdk8s entry point (cdk8s.yaml: app "python main.py").

`npx cdk8s synth` runs this with CDK8S_OUTDIR set; it writes the same bytes as
`opsgen synth`. cdk8s-cli itself deletes the output directory before running
the app; `opsgen synth` (make synth) instead keeps files it did not write and
swaps the output in atomically.
"""
import os
import sys

_VENV_PYTHON = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".venv", "bin", "python")

if __name__ == "__main__":
    if os.path.exists(_VENV_PYTHON) and os.path.realpath(sys.prefix) != os.path.realpath(os.path.dirname(os.path.dirname(_VENV_PYTHON))):
        os.execv(_VENV_PYTHON, [_VENV_PYTHON, *sys.argv])  # `python` on PATH may lack the pinned packages
    from opsgen.cli import main

    sys.exit(main(["synth", "--catalogue", "services.yaml", "--out", os.environ.get("CDK8S_OUTDIR", "dist")]))
