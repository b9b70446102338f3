"""Prometheus alert templates (Go text/template, as Prometheus 2.51 expands an
alert's annotations and labels at alert time).

Two directions:

- ``literal(text)``: catalogue text that opsgen pastes into an annotation (a
  topic, a consumer group, a runbook URL) must stay text. A topic named
  ``x{{ range query "..." }}`` would otherwise become template code that
  Prometheus runs on every evaluation. Every ``{`` becomes the action
  ``{{ "{" }}``, which prints one brace, so no action can start inside it.
- ``problems(text)``: what users write as templates (``summary``,
  ``description``, label values of their alerts) is checked at validate time, in
  process, by a port of Go's text/template parser (gotemplate_lex.py, and the
  parser below: parse.go of Go 1.22), so that it accepts exactly what promtool and
  Prometheus accept: one invalid template makes Prometheus refuse the whole rule
  file. On top of Go's rules, opsgen's own: ``query`` is refused (it runs PromQL at
  alert time, unchecked by opsgen and on every evaluation; put what it would read
  in the alert's ``expr``), as are ``define``, ``template`` and ``block``, fields
  other than Prometheus' own at the top level, and ``range`` nested more than
  MAX_RANGE_DEPTH deep (k nested ranges over $labels cost labels^k per evaluation).
"""

from __future__ import annotations

from opsgen.catalogue.gotemplate_lex import (
    TemplateError,
    Token,
    check_char,
    check_complex,
    check_number,
    check_string,
    tokens,
)

# Go text/template built-ins, then Prometheus 2.51's template functions (template/template.go).
FUNCTIONS = frozenset(
    """and call html index slice js len not or print printf println urlquery eq ge gt le lt ne
    first label value strvalue args reReplaceAll safeHtml match title toUpper toLower graphLink tableLink
    sortByLabel stripPort stripDomain humanize humanize1024 humanizeDuration humanizePercentage
    humanizeTimestamp toTime pathPrefix externalURL parseDuration""".split()
)
REFUSED = {
    "query": "templates may not run queries ('query'): they run on every evaluation, unchecked; use the alert's expr"
}
UNSUPPORTED = frozenset("define template block".split())
VARIABLES = frozenset({"$", "$labels", "$value", "$externalLabels", "$externalURL"})
FIELDS = frozenset({"Labels", "Value", "ExternalLabels", "ExternalURL"})
MAX_RANGE_DEPTH = 2  # nested ranges: labels^depth iterations per evaluation (k = 10 was 60 MB and 26 s)
MAX_DEPTH = 32  # blocks and parentheses: Python's stack, and no real template nests deeper
_KNOWN_VARIABLES = "(known: $labels, $value, $externalLabels, $externalURL)"
UNCLOSED = "an action opened with '{{' is not closed with '}}' (write {{ \"{{\" }} for literal braces)"


def literal(text: str) -> str:
    """``text`` as a template that prints exactly ``text``."""
    return text.replace("{", '{{ "{" }}') if "{" in text else text


def problems(text: str) -> list[str]:
    """Why ``text`` is not a template Prometheus 2.51 accepts (or opsgen allows); [] when it is.
    Like Go's parser, the first problem only."""
    try:
        _Parser(tokens(text)).parse()
    except TemplateError as exc:
        message = str(exc)
        return [UNCLOSED if message == "unclosed action" else message]
    return []


_OPERANDS = frozenset("bool char complex dot field identifier number string raw variable lparen".split())
_CONSTANTS = frozenset("bool char complex dot number string raw".split())  # plus nil: not executable


def _shown(token: Token) -> str:
    if token.kind == "eof":
        return "end of text"
    if token.kind in ("keyword", "left", "right"):
        return f"'{token.value}'"
    return repr(token.value[:12] + ("..." if len(token.value) > 12 else ""))


class _Parser:
    """Go's parse.Tree over the tokens: itemList, action, control, pipeline, command, operand, term."""

    def __init__(self, items: list[Token]) -> None:
        self.items, self.pos = items, 0
        self.variables = list(VARIABLES)
        self.ranges = 0  # range depth, for break/continue and MAX_RANGE_DEPTH
        self.depth = 0
        self.open: list[str] = []  # the blocks being parsed, for messages

    def peek(self, skip_space: bool = False) -> Token:
        i = self.pos
        while skip_space and self.items[i].kind == "space":
            i += 1
        return self.items[i]

    def next(self, skip_space: bool = True) -> Token:
        while skip_space and self.items[self.pos].kind == "space":
            self.pos += 1
        token = self.items[self.pos]
        self.pos += 1
        return token

    def expect_right(self, context: str) -> None:
        token = self.next()
        if token.kind != "right":
            raise TemplateError(f"unexpected {_shown(token)} in {context}")

    def parse(self) -> None:
        while self.peek().kind != "eof":
            node = self.text_or_action()
            if node in ("end", "else"):
                if node == "end":
                    raise TemplateError("'{{ end }}' without an 'if', 'range' or 'with' to end")
                raise TemplateError("'{{ else }}' outside an 'if', 'range' or 'with'")

    def item_list(self) -> str:
        """Items up to the ``end`` or ``else`` that closes them: which one."""
        while self.peek(skip_space=True).kind != "eof":
            node = self.text_or_action()
            if node in ("end", "else"):
                return node
        raise TemplateError(f"'{{{{ {self.open[-1]} }}}}' has no '{{{{ end }}}}'")

    def text_or_action(self) -> str | None:
        token = self.next()
        if token.kind in ("text", "comment"):
            return None
        if token.kind == "left":
            return self.action()
        raise TemplateError(f"unexpected {_shown(token)} in input")

    def action(self) -> str | None:
        token = self.next()
        if token.kind == "keyword" and token.value in ("if", "range", "with"):
            self.control(token.value)
            return None
        if token.kind == "keyword" and token.value in ("break", "continue"):
            self.expect_right("{{" + token.value + "}}")
            if not self.ranges:
                raise TemplateError(f"'{{{{ {token.value} }}}}' outside a 'range'")
            return None
        if token.kind == "keyword" and token.value in ("else", "end"):
            if token.value == "end" or self.peek(skip_space=True).value != "if":
                self.expect_right(token.value)
            return token.value
        if token.kind == "keyword" and token.value in UNSUPPORTED:
            raise TemplateError(f"'{token.value}' is not supported in alert templates")
        self.pos -= 1
        self.pipeline("command", "right")
        return None

    def control(self, context: str) -> None:
        """if/range/with: pipeline, list, optional else list (or else-if chain), end;
        variables declared inside are gone after it."""
        kept = len(self.variables)
        self._enter(context)
        self.pipeline(context, "right")
        self.ranges += context == "range"
        if self.ranges > MAX_RANGE_DEPTH:
            raise TemplateError(
                f"'range' nested more than {MAX_RANGE_DEPTH} deep: each level multiplies the work of every evaluation"
            )
        ending = self.item_list()
        self.ranges -= context == "range"
        if ending == "else":
            if context == "if" and self.peek(skip_space=True).value == "if":
                self.next()
                self.control("if")  # {{ else if }}: its end ends both
            elif self.item_list() != "end":
                raise TemplateError(
                    f"expected '{{{{ end }}}}' after the '{{{{ else }}}}' of '{context}'; found a second '{{{{ else }}}}'"
                )
        del self.variables[kept:]
        self.open.pop()
        self.depth -= 1

    def _enter(self, context: str) -> None:
        self.open.append(context)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TemplateError(f"nested more than {MAX_DEPTH} deep")

    def pipeline(self, context: str, end: str) -> None:
        self.declarations(context)
        commands: list[Token] = []
        while True:
            token = self.next()
            if token.kind == end:
                break
            if token.kind not in _OPERANDS and not (token.kind == "keyword" and token.value == "nil"):
                raise TemplateError(f"unexpected {_shown(token)} in {context}")
            self.pos -= 1
            commands.append(self.command())
        if not commands:
            raise TemplateError(f"missing value for {context}")
        for stage, first in enumerate(commands[1:], start=2):
            if first.kind in _CONSTANTS or first.value == "nil":
                raise TemplateError(
                    f"non executable command in pipeline stage {stage}: only a function, field or variable can take what '|' passes"
                )

    def declarations(self, context: str) -> None:
        declared = 0
        while self.peek(skip_space=True).kind == "variable":
            start = self.pos
            variable = self.next()
            after = self.peek(skip_space=True)
            if after.kind in ("declare", "assign"):
                self.next()
                if after.kind == "assign" and variable.value not in self.variables:
                    raise TemplateError(f"unknown variable '{variable.value}' {_KNOWN_VARIABLES}")
                self.variables.append(variable.value)
                return
            if after.kind == "punct" and after.value == ",":
                self.next()
                self.variables.append(variable.value)
                declared += 1
                if context != "range" or declared >= 2:
                    raise TemplateError(f"too many declarations in {context}")
                if self.peek(skip_space=True).kind not in ("variable", "right", "rparen"):
                    raise TemplateError("range can only initialize variables")
                continue
            self.pos = start  # an operand, not a declaration
            return

    def command(self) -> Token:
        """Operands up to '|', '}}' or ')'; the first operand's token (checkPipeline)."""
        first: Token | None = None
        while True:
            self.peek(skip_space=True)
            token = self.operand()
            first = first or token
            follow = self.next(skip_space=False)
            if follow.kind == "space":
                continue
            if follow.kind in ("right", "rparen"):
                self.pos -= 1
            elif follow.kind != "pipe":
                raise TemplateError(f"unexpected {_shown(follow)} in operand")
            break
        if first is None:
            raise TemplateError("empty command")
        return first

    def operand(self) -> Token | None:
        token = self.term()
        if token is not None and self.peek().kind == "field":
            if token.kind in _CONSTANTS or token.value == "nil":
                raise TemplateError(f"unexpected . after term {_shown(token)}")
            while self.peek().kind == "field":
                self.next(skip_space=False)
        return token

    def term(self) -> Token | None:
        token = self.next()
        kind = token.kind
        if kind == "identifier":
            self._function(token.value)
        elif kind == "variable":
            if token.value not in self.variables:
                raise TemplateError(f"unknown variable '{token.value}' {_KNOWN_VARIABLES}")
        elif kind == "field":
            self._field(token.value)
        elif kind == "number":
            check_number(token.value)
        elif kind == "complex":
            check_complex(token.value)
        elif kind == "char":
            check_char(token.value)
        elif kind == "string":
            check_string(token.value)
        elif kind == "lparen":
            self._enter("(")
            self.pipeline("parenthesized pipeline", "rparen")
            self.open.pop()
            self.depth -= 1
        elif kind not in ("dot", "bool", "raw") and not (kind == "keyword" and token.value == "nil"):
            self.pos -= 1
            return None
        return token

    def _function(self, word: str) -> None:
        if word in REFUSED:
            raise TemplateError(REFUSED[word])
        if word not in FUNCTIONS:
            raise TemplateError(f"unknown function '{word}'")

    def _field(self, field: str) -> None:
        """Outside range and with, '.' is what Prometheus passes: only its fields exist."""
        if field[1:] not in FIELDS and not {"range", "with"} & set(self.open):
            raise TemplateError(f"unknown field '{field}' (known: .Labels, .Value, .ExternalLabels, .ExternalURL)")
