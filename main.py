"""cdk8s entry point (cdk8s.yaml: app "python3 main.py", output "cdk8s.out"):
`npx cdk8s synth` writes dist/ as `opsgen synth` does (opsgen/cdk8s_app.py says how)."""

import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
_VENV_PYTHON = os.path.join(ROOT, ".venv", "bin", "python")

if __name__ == "__main__":
    if os.path.exists(_VENV_PYTHON) and os.path.realpath(sys.prefix) != os.path.realpath(
        os.path.dirname(os.path.dirname(_VENV_PYTHON))
    ):
        os.execv(_VENV_PYTHON, [_VENV_PYTHON, *sys.argv])  # `python3` on PATH may lack the pinned packages
    from opsgen.cdk8s_app import main

    sys.exit(main())
