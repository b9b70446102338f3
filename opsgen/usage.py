"""What ``opsgen --help`` tells beyond the options: the exit codes every command
shares, and one example per command (the README's "Exit codes" table is this one).

One meaning per code, whatever the command, so that a script can tell "the
output would change" from "the catalogue is wrong" from "opsgen was misused".
"""

from __future__ import annotations

from opsgen import __version__

OK = 0  # done: written, valid, up to date, nothing would change
CHANGES = 1  # check: the output is stale or the stack disagrees; diff: something would change
USAGE = 2  # the command line or the environment: an unknown option or service, no usable Node, a folder init refuses
INVALID = 3  # the catalogue (or a file it includes) is missing or has problems: every one printed, nothing written
FAILED = 4  # the output could not be read or written (disk full, permissions, a file synth must not replace)
INTERRUPTED = 130  # ^C (128 + SIGINT); 143 for SIGTERM

EXIT_CODES = (
    (OK, "ok: written, valid, up to date, nothing would change"),
    (CHANGES, "check: the output is stale or the stack disagrees; diff: something would change"),
    (USAGE, "usage: a wrong option or argument, an unknown service, no usable Node, a folder init refuses"),
    (INVALID, "the catalogue or a file it includes is missing or invalid (every problem printed; nothing written)"),
    (FAILED, "the output could not be read or written (disk full, permissions, a file synth must not replace)"),
    (INTERRUPTED, "interrupted by ^C (143: terminated); the output is the old one or the new one"),
)

EXAMPLES = {
    None: "opsgen init my-catalogue && cd my-catalogue && opsgen synth && opsgen check",
    "synth": "opsgen synth -c services.yaml -o dist",
    "check": "opsgen check --stack --format github",
    "validate": "opsgen validate -c services.yaml --format json",
    "diff": "opsgen diff --format markdown > diff.md",
    "show": "opsgen show coding-agent --env prod | kubectl apply --dry-run=server -f -",
    "schema": "opsgen schema --include > services.include.schema.json",
    "init": "opsgen init my-catalogue --stack",
}


def epilog(command: str | None) -> str:
    """The text under a command's options: its example, then the exit codes."""
    codes = "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES)
    return f"example:\n  {EXAMPLES[command]}\n\nexit codes (the same for every command):\n{codes}\n"


def versions() -> str:
    """opsgen's version and those of the cdk8s and jsii it runs, from the installed
    metadata (importing cdk8s would start its Node kernel)."""
    from importlib import metadata

    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return f"opsgen {__version__} (cdk8s {installed('cdk8s')}, jsii {installed('jsii')})"
