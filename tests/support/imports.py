"""What a command imports, seen from a Python process of its own (nothing the test
run itself imported counts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PROBE = """\
import sys
from opsgen.cli import main
code = main(sys.argv[1].split())
print(code, *[m for m in sys.argv[2:] if m in sys.modules])
"""


def imported_by(command: str, catalogue: Path, *modules: str) -> tuple[int, str, list[str]]:
    """(exit code, stderr, which of ``modules`` were imported) of ``opsgen COMMAND -c CATALOGUE``."""
    argv = f"{command} -c {catalogue}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, argv, *modules], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    code, *imported = done.stdout.splitlines()[-1].split()  # the probe's line
    return int(code), done.stderr, imported
