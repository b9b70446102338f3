"""Node, which jsii starts as the cdk8s kernel: found and usable, or one line saying why not.

jsii runs ``$JSII_NODE`` (default ``node`` on PATH); without it the first cdk8s
import fails deep in a worker with ``FileNotFoundError: 'node'``. The CLI asks
here first and stops with one line (exit 2) instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

# jsii 1.142 ended its support of Node 18 on 2025-11-30 (its own release table); 20 is the oldest it runs.
OLDEST_MAJOR = 20
_PROBE_SECONDS = 20


def unusable() -> str | None:
    """Why the Node that jsii would start cannot run cdk8s, or None when it can."""
    name = os.environ.get("JSII_NODE", "node")
    found = shutil.which(name)
    where = f"JSII_NODE={name}" if "JSII_NODE" in os.environ else "node"
    if found is None:
        return f"{where} not found: opsgen needs Node.js {OLDEST_MAJOR} or later on PATH (cdk8s runs in it)"
    try:
        probe = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=_PROBE_SECONDS, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{found} cannot be run ({getattr(exc, 'strerror', None) or exc}): opsgen needs Node.js {OLDEST_MAJOR} or later"
    version = re.fullmatch(r"v(\d+)\.\d+\.\d+\S*", probe.stdout.strip())
    if probe.returncode != 0 or version is None:
        return f"{found} --version did not print a Node.js version (exit {probe.returncode}): opsgen needs Node.js {OLDEST_MAJOR} or later"
    if int(version.group(1)) < OLDEST_MAJOR:
        return f"{found} is Node.js {probe.stdout.strip()}: opsgen needs {OLDEST_MAJOR} or later (jsii no longer supports it)"
    return None
