"""Located errors: every problem with user input names ``file:line:col``."""

from __future__ import annotations

import bisect
import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a source file; line 0: the file as a whole."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, at one place."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message.translate(_ONE_LINE)}"


# One problem, one line: control characters and line separators that a user's
# keys or values may carry are shown escaped (str.splitlines splits on all of these).
_ONE_LINE = {c: repr(chr(c))[1:-1] for c in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]}


def warning_line(problem: Problem) -> str:
    """A warning as printed: ``file:line:col: warning: message`` (the exit status stays 0)."""
    return f"{problem.location}: warning: {problem.message.translate(_ONE_LINE)}"


def summary(problems: list[Problem], catalogue: str) -> str:
    """``3 problems in services.yaml (1), teams/billing.yaml (2)``: the files they are
    in, in the order printed (an included file is named, not the catalogue that includes it)."""
    per_file: dict[str, int] = {}
    for problem in problems:
        per_file[problem.location.file] = per_file.get(problem.location.file, 0) + 1
    files = next(iter(per_file)) if len(per_file) == 1 else ", ".join(f"{f} ({n})" for f, n in per_file.items())
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {files or catalogue}"


def sort_key(problem: Problem) -> tuple[str, int, int, str]:
    where = problem.location
    return (where.file, where.line, where.col, problem.message)


class CatalogueError(Exception):
    """Raised with every problem found; the CLI prints them and exits 1."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=sort_key)  # Problem's own order, a key computed once each
        super().__init__("\n".join(str(p) for p in self.problems))


class EngineFailed(Exception):
    """The cdk8s engine could not run (no Node.js, Node.js killed or out of memory):
    ``str()`` says so in words (synth/failures.py); nothing was written."""


class OutputRefused(Exception):
    """The output directory holds something synth could not keep exactly; nothing
    was changed (raised by output/write.py; here so that the CLI catches it
    without importing the output layer)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix, or an empty string. Case does not count
    (``Scaling`` -> ``scaling``, ``SLO`` -> ``slo``).

    Bounded work for any number of candidates: difflib compares ``word`` with at
    most SUGGEST_POOL of them (its neighbours in alphabetical order, which share
    its beginning, and in the order of reversed names, which share its end;
    found by bisection), and each (word, candidates) pair is
    computed once. Against 5,000 names, 5,000 unknown words took 52 s before."""
    pool = candidates if isinstance(candidates, frozenset) else frozenset(candidates)
    close = _closest(word, pool)
    return f"; did you mean '{close}'?" if close else ""


SUGGEST_POOL = 32


@functools.lru_cache(maxsize=4096)
def _closest(word: str, candidates: frozenset[str]) -> str | None:
    index = _Index.of(candidates)
    lowered = word.lower()
    pool = index.forward if len(index.forward) <= SUGGEST_POOL else index.near(lowered)
    close = difflib.get_close_matches(lowered, pool, n=1, cutoff=0.6)
    return index.by_lower[close[0]] if close else None


class _Index:
    """The candidates by their lower-case text (the first in sorted order wins),
    sorted, and sorted by their reversed text."""

    _cache: dict[frozenset[str], _Index] = {}

    def __init__(self, candidates: frozenset[str]) -> None:
        self.by_lower: dict[str, str] = {}
        for candidate in sorted(candidates):
            self.by_lower.setdefault(candidate.lower(), candidate)
        self.forward = sorted(self.by_lower)
        self.backward = sorted(name[::-1] for name in self.by_lower)

    @classmethod
    def of(cls, candidates: frozenset[str]) -> _Index:
        if len(candidates) <= SUGGEST_POOL:
            return cls(candidates)  # cheap: keep the cache for the large set
        if candidates not in cls._cache:
            cls._cache.clear()  # one large candidate set at a time is what validation uses
            cls._cache[candidates] = cls(candidates)
        return cls._cache[candidates]

    def near(self, word: str) -> list[str]:
        """SUGGEST_POOL candidates: half sharing most of its beginning, half of its end."""
        half = SUGGEST_POOL // 4
        at = bisect.bisect_left(self.forward, word)
        found = self.forward[max(0, at - half) : at + half]
        at = bisect.bisect_left(self.backward, word[::-1])
        found += [name[::-1] for name in self.backward[max(0, at - half) : at + half]]
        return sorted(set(found))
