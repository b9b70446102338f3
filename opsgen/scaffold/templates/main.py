"""cdk8s entry point (cdk8s.yaml: app "python3 main.py"): `npx cdk8s synth`
writes dist/ as `opsgen synth` does, and every object as one stream in cdk8s.out/."""

import os
import shutil
import sys


def _opsgen_python() -> str:
    """The Python that the `opsgen` command on PATH runs under (pipx, or a venv of its own)."""
    command = shutil.which("opsgen")
    if command is None:
        sys.exit("main.py: opsgen is not installed: pipx install opsgen (or pip install it), then run again")
    with open(command, "rb") as script:
        first = script.readline().decode("utf-8", "replace").strip()
    if not first.startswith("#!"):
        sys.exit(f"main.py: {command} is not a Python script; run `opsgen synth` instead")
    return first[2:].strip()


if __name__ == "__main__":
    try:
        from opsgen.cdk8s_app import main
    except ImportError:  # `python3` is not the one opsgen is installed in
        python = _opsgen_python()
        os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])
    sys.exit(main())
