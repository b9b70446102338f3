"""Go text/template's lexer and literal checks (text/template/parse, Go 1.22, what
Prometheus 2.51 and Alertmanager 0.27 are built with), so that opsgen's template
check accepts exactly what their parser accepts: the same tokens, the same
number syntax (strconv.ParseInt/ParseFloat with base prefixes and '_'), the same
string and character escapes (strconv.Unquote, UnquoteChar).

``tokens(text)`` returns the whole token list or raises TemplateError with the
message of the first problem, as Go's parser stops at its first error.
"""

from __future__ import annotations

import math
from typing import NamedTuple

KEYWORDS = frozenset("block break continue define else end if range nil template with".split())
_SPACE = " \t\r\n"
_TERMINATORS = frozenset(_SPACE + ".,|:)(")
_SINGLE = {"=": "assign", "|": "pipe"}
_QUOTES = {'"': ("string", "unterminated quoted string"), "'": ("char", "unterminated character constant")}


class TemplateError(Exception):
    """The first reason Go's parser refuses a template."""


class Token(NamedTuple):
    kind: str  # text, left, right, comment, space, assign, declare, pipe, string, raw, char, variable,
    # field, dot, number, complex, identifier, bool, keyword, lparen, rparen, punct, eof
    value: str


def _alnum(char: str) -> bool:
    """Go's isAlphaNumeric: '_', a Unicode letter or a Unicode decimal digit."""
    return char == "_" or char.isalpha() or char.isdecimal()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0
        self.out: list = []
        self.parens = 0

    def peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.text[i] if i < len(self.text) else ""

    def emit(self, kind: str, start: int) -> None:
        self.out.append(Token(kind, self.text[start : self.pos]))

    def run(self) -> list[Token]:
        while self.pos < len(self.text):
            start = self.text.find("{{", self.pos)
            if start < 0:
                self.out.append(Token("text", self.text[self.pos :]))
                break
            if start > self.pos:
                self.out.append(Token("text", self.text[self.pos : start]))
            self.pos = start + 2
            if self.peek() == "-" and self.peek(1) in tuple(_SPACE):
                self.pos += 2  # the left trim marker
            if self.text.startswith("/*", self.pos):
                self._comment()
            else:
                self.out.append(Token("left", "{{"))
                self.parens = 0
                self._action()
        self.out.append(Token("eof", ""))
        return self.out

    def _right_delim(self) -> int:
        """Length of the closing delimiter here ('}}' or ' -}}'), 0 if none."""
        if self.peek() in tuple(_SPACE) and self.peek(1) == "-" and self.text.startswith("}}", self.pos + 2):
            return 4
        return 2 if self.text.startswith("}}", self.pos) else 0

    def _comment(self) -> None:
        end = self.text.find("*/", self.pos + 2)
        if end < 0:
            raise TemplateError("unclosed comment")
        self.pos = end + 2
        size = self._right_delim()
        if not size:
            raise TemplateError("comment ends before closing delimiter")
        self.pos += size
        self.out.append(Token("comment", ""))

    def _action(self) -> None:
        while True:
            size = self._right_delim()
            if size:
                if self.parens:
                    raise TemplateError("unclosed left paren")
                self.pos += size
                self.out.append(Token("right", "}}"))
                return
            if self.pos >= len(self.text):
                raise TemplateError("unclosed action")
            self._item()

    def _item(self) -> None:
        """One token inside an action, as Go's lexInsideAction reads it."""
        start, char = self.pos, self.peek()
        self.pos += 1
        if char in _SPACE:
            self._space(start)
        elif char in _SINGLE:
            self.emit(_SINGLE[char], start)
        elif char == ":":
            if self.peek() != "=":
                raise TemplateError("expected :=")
            self.pos += 1
            self.emit("declare", start)
        elif char in _QUOTES:
            self._quoted(char, _QUOTES[char][1])
            self.emit(_QUOTES[char][0], start)
        elif char == "`":
            self._raw(start)
        elif char == "$" or (char == "." and not ("0" <= self.peek() <= "9" and self.peek())):
            self._word("variable" if char == "$" else "field", start)
        elif char in "+-." or "0" <= char <= "9":
            self.pos = start
            self._number(start)
        elif _alnum(char):
            self._identifier(start)
        elif char in "()":
            self._paren(char, start)
        elif " " < char < "\x7f":
            self.emit("punct", start)
        else:
            raise TemplateError(f"unrecognized character in action: U+{ord(char):04X}")

    def _space(self, start: int) -> None:
        """Spaces, up to the one that starts a ' -}}' trim marker."""
        self.pos = start
        while self.peek() and self.peek() in _SPACE and self._right_delim() != 4:
            self.pos += 1
        if self.pos > start:
            self.emit("space", start)

    def _raw(self, start: int) -> None:
        end = self.text.find("`", self.pos)
        if end < 0:
            raise TemplateError("unterminated raw quoted string")
        self.pos = end + 1
        self.emit("raw", start)

    def _paren(self, char: str, start: int) -> None:
        self.parens += 1 if char == "(" else -1
        if self.parens < 0:
            raise TemplateError("unexpected right paren")
        self.emit("lparen" if char == "(" else "rparen", start)

    def _at_terminator(self) -> bool:
        char = self.peek()
        return not char or char in _TERMINATORS or self.text.startswith("}}", self.pos)

    def _quoted(self, quote: str, unterminated: str) -> None:
        while True:
            char = self.peek()
            self.pos += 1
            if char == "\\":
                char = self.peek()
                self.pos += 1
                if char and char != "\n":
                    continue
            if not char or char == "\n":
                raise TemplateError(unterminated)
            if char == quote:
                return

    def _word(self, kind: str, start: int) -> None:
        """A variable ($x) or field (.x): one name, or '$' / '.' alone."""
        if not self._at_terminator():
            while self.peek() and _alnum(self.peek()):
                self.pos += 1
            if not self._at_terminator():
                raise TemplateError(f"bad character {self.peek()!r}")
        self.emit("dot" if kind == "field" and self.pos == start + 1 else kind, start)

    def _identifier(self, start: int) -> None:
        while self.peek() and _alnum(self.peek()):
            self.pos += 1
        if not self._at_terminator():
            raise TemplateError(f"bad character {self.peek()!r}")
        word = self.text[start : self.pos]
        kind = "keyword" if word in KEYWORDS else "bool" if word in ("true", "false") else "identifier"
        self.emit(kind, start)

    def _accept(self, chars: str) -> bool:
        if self.peek() and self.peek() in chars:
            self.pos += 1
            return True
        return False

    def _run(self, chars: str) -> None:
        while self._accept(chars):
            pass

    def _scan_number(self) -> bool:
        self._accept("+-")
        digits = "0123456789_"
        if self._accept("0"):
            for prefix, run in (("xX", "0123456789abcdefABCDEF_"), ("oO", "01234567_"), ("bB", "01_")):
                if self._accept(prefix):
                    digits = run
                    break
        self._run(digits)
        if self._accept("."):
            self._run(digits)
        if len(digits) == 11 and self._accept("eE"):
            self._accept("+-")
            self._run("0123456789_")
        if len(digits) == 23 and self._accept("pP"):
            self._accept("+-")
            self._run("0123456789_")
        self._accept("i")
        return not (self.peek() and _alnum(self.peek()))

    def _number(self, start: int) -> None:
        if not self._scan_number():
            raise TemplateError(f"bad number syntax: {self.text[start : self.pos + 1]!r}")
        if self.peek() in ("+", "-") and self.peek():
            if not self._scan_number() or self.text[self.pos - 1] != "i":
                raise TemplateError(f"bad number syntax: {self.text[start : self.pos]!r}")
            self.emit("complex", start)
            return
        self.emit("number", start)


def tokens(text: str) -> list[Token]:
    return _Lexer(text).run()


# --- literals, as Go's parser turns tokens into constants (parse.newNumber, strconv) ----------


def check_number(text: str) -> None:
    """Raise TemplateError unless Go's parser makes a number of ``text``."""
    if text.endswith("i") and _parse_float(text[:-1]) is not None:
        return  # an imaginary constant
    if _parse_int(text) is not None or _parse_uint(text) is not None:
        return
    unsigned = text.lstrip("+-")
    if unsigned[:1] == "0" and unsigned[1:2].isdigit() and not any(c in text for c in ".eEpP"):
        raise TemplateError(
            f"illegal number {text!r}: a leading 0 makes it octal (digits 0-7 only); write it without the 0"
        )
    if _parse_float(text) is not None:
        if not any(c in text for c in ".eEpP"):
            raise TemplateError(f"integer overflow: {text!r}")
        return
    raise TemplateError(f"illegal number syntax: {text!r}")


def check_complex(text: str) -> None:
    split = max(text.rfind("+"), text.rfind("-"))
    if split <= 0 or _parse_float(text[:split]) is None or _parse_float(text[split:-1]) is None:
        raise TemplateError(f"illegal number syntax: {text!r}")


def _underscore_ok(s: str) -> bool:
    """strconv.underscoreOK: '_' only between digits, or after a base prefix."""
    saw, i = "^", 0
    if s[:1] in ("+", "-"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for c in s[i:]:
        if "0" <= c <= "9" or hexa and "a" <= c.lower() <= "f":
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _parse_uint(s: str) -> int | None:
    """strconv.ParseUint(s, 0, 64)."""
    if not s:
        return None
    base, body = 10, s
    if s[0] == "0":
        prefix = s[1:2].lower()
        base, body = ({"b": 2, "o": 8, "x": 16}[prefix], s[2:]) if len(s) >= 3 and prefix in "box" else (8, s[1:])
    value = 0
    for c in body:
        if c == "_":
            continue
        digit = int(c, 36) if c.isascii() and c.isalnum() else 99
        if digit >= base:
            return None
        value = value * base + digit
    if "_" in s and not _underscore_ok(s):
        return None
    return value if value < 2**64 else None


def _parse_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64)."""
    negative = s[:1] == "-"
    value = _parse_uint(s[1:] if s[:1] in ("+", "-") else s)
    if value is None or value > (2**63 if negative else 2**63 - 1):
        return None
    return -value if negative else value


def _parse_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64) for the text the lexer gives (no inf or nan)."""
    body = s[1:] if s[:1] in ("+", "-") else s
    hexa = len(body) > 2 and body[0] == "0" and body[1] in "xX"
    digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
    mantissa = body[2:] if hexa else body
    exp_char = "pP" if hexa else "eE"
    cut = next((i for i, c in enumerate(mantissa) if c in exp_char), len(mantissa))
    number, exponent = mantissa[:cut], mantissa[cut + 1 :]
    if number.count(".") > 1 or not any(c in digits for c in number) or any(c not in digits + "._" for c in number):
        return None
    if hexa and cut == len(mantissa):
        return None  # a hexadecimal float needs its p exponent
    if cut < len(mantissa):
        unsigned = exponent[1:] if exponent[:1] in ("+", "-") else exponent
        if not unsigned[:1].isdigit() or any(c not in "0123456789_" for c in unsigned):
            return None
    if "_" in s and not _underscore_ok(s):
        return None
    try:
        value = float.fromhex(s.replace("_", "")) if hexa else float(s.replace("_", ""))
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


_SIMPLE_ESCAPES = frozenset("abfnrtv\\")


def unquote_char(s: str, quote: str) -> str:
    """strconv.UnquoteChar: the text after the first character of ``s``, or TemplateError."""
    bad = TemplateError(f"invalid syntax in {quote}...{quote}: {s[:12]!r}")
    if not s or s[0] == quote:
        raise bad
    if s[0] != "\\":
        return s[1:]
    kind, rest = s[1:2], s[2:]
    if kind in _SIMPLE_ESCAPES:
        return rest
    if kind in ("x", "u", "U"):
        size = {"x": 2, "u": 4, "U": 8}[kind]
        code = rest[:size]
        if len(code) < size or any(c not in "0123456789abcdefABCDEF" for c in code):
            raise bad
        value = int(code, 16)
        if kind != "x" and (value > 0x10FFFF or 0xD800 <= value <= 0xDFFF):
            raise bad
        return rest[size:]
    if kind and kind in "01234567":
        code = s[1:4]
        if len(code) < 3 or any(c not in "01234567" for c in code) or int(code, 8) > 255:
            raise bad
        return s[4:]
    if kind == quote:
        return rest
    raise bad


def check_string(token: str) -> None:
    """strconv.Unquote of a "..." string (raw `...` strings always unquote)."""
    rest = token[1:-1]
    while rest:
        rest = unquote_char(rest, '"')


def check_char(token: str) -> None:
    tail = unquote_char(token[1:], "'")
    if tail != "'":
        raise TemplateError(f"malformed character constant: {token[:12]!r}")
