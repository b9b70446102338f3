"""The terminal streams opsgen prints to."""

from __future__ import annotations

import sys


def utf8_streams() -> None:
    """What opsgen prints is UTF-8 (YAML, JSON and its own header, which holds '—'),
    whatever the locale says (LC_ALL=C, PYTHONIOENCODING=ascii): stdout is written as
    UTF-8, and stderr, read by people, escapes what its encoding cannot show."""
    for stream, options in ((sys.stdout, {"encoding": "utf-8"}), (sys.stderr, {"errors": "backslashreplace"})):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(**options)
            except (ValueError, OSError):
                pass  # a stream that cannot change (already written to): left as it is


def closed_stdout() -> bool:
    """Whether opsgen was started with stdout closed (``>&-``), said on stderr; if not,
    the streams are set up as utf8_streams says."""
    if sys.stdout is None:
        print(
            "opsgen: error: stdout is closed (>&-); give opsgen an open stdout (>/dev/null to discard it)",
            file=sys.stderr,
        )
        return True
    utf8_streams()
    return False
