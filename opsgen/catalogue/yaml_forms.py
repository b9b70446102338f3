"""YAML forms the loader treats specially: YAML 1.1's ambiguous numbers (refused in the
catalogue) and merge keys (``<<:``: expanded once per mapping, misuse refused)."""

from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_CORE = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()


# YAML 1.1 (PyYAML) reads these number forms otherwise than YAML 1.2 and most editors and
# tools do: ``010`` is 8, ``1:30`` is 90, ``1_000`` is 1000, ``0b11`` is 3 (strings elsewhere).
# Plain decimals, ``0x`` hexadecimals and decimal fractions mean the same everywhere.
_PLAIN_NUMBER = {
    _CORE + "int": re.compile(r"[-+]?(0|[1-9][0-9]*|0x[0-9a-fA-F]+)"),
    _CORE + "float": re.compile(
        r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
    ),
}
AMBIGUOUS = (
    "this number is read differently by YAML 1.1 (opsgen, PyYAML) and YAML 1.2 (editors, other tools): "
    "leading zeros are octal (010 is 8), ':' makes base 60 (1:30 is 90), '_' and 0b are dropped or binary; "
    "write a plain decimal number, or quote it to make it a string"
)


def ambiguous_number(node: ScalarNode) -> bool:
    """A number in a form _PLAIN_NUMBER does not hold, that YAML 1.1 reads as one (text
    its tag cannot hold at all, ``!!int 'abc'``, is _checked_scalar's to report)."""
    pattern = _PLAIN_NUMBER.get(node.tag)
    if pattern is None or pattern.fullmatch(node.value):
        return False
    return _RESOLVER.resolve(ScalarNode, node.value, (True, False)) == node.tag


BAD_MERGE = "'<<:' merges a mapping (such as *defaults) or a list of them; this is not one"


def bad_merges(node: MappingNode) -> list[Node]:
    """What ``<<:`` is given that is not a mapping: it takes a mapping (an alias of one)
    or a list of them; PyYAML silently ignores anything else (``<<: foo``, ``<<: [1, 2]``)."""
    found: list[Node] = []
    for key, value in node.value:
        if key.tag == _CORE + "merge":
            sources = value.value if isinstance(value, SequenceNode) else [value]
            found += [source for source in sources if not isinstance(source, MappingNode)]
    return found


def merged_pairs(node: MappingNode, memo: dict[int, list]) -> list[tuple[ScalarNode, Node]]:
    """Own keys first, then keys brought in by ``<<: *anchor`` merges, each key once
    (the first wins, as YAML's merge says), memoised per node in ``memo``: a chain
    of merges is expanded once, not again for every error location (50 chained
    services took 45 s to validate), and repeated sources do not multiply it."""
    if id(node) in memo:
        return memo[id(node)]
    pairs = [(k, v) for k, v in node.value if k.tag != _CORE + "merge"]
    seen = {k.value for k, _ in pairs}
    for key, value in node.value:
        if key.tag != _CORE + "merge":
            continue
        for source in value.value if isinstance(value, SequenceNode) else [value]:
            if not isinstance(source, MappingNode):
                continue  # refused (bad_merges)
            for pair in merged_pairs(source, memo):
                if pair[0].value not in seen:
                    seen.add(pair[0].value)
                    pairs.append(pair)
    memo[id(node)] = pairs
    return pairs
