"""The expression language of the ``expression`` processor, as far as the simulator speaks it.

The user guide's language: an expression starting with ``=`` is evaluated, anything
else is put in the output field as it is. The API documentation's example writes the
evaluated part between ``{{ }}`` instead; both are read. Supported: field names
(``$`` forces one), numbers, quoted text, ``'true'``/``'false'``, ``pi`` and ``e``;
the operators ``+ - * / % // ^ !`` (factorial), ``&`` (concatenation), comparisons,
``not``/``!``, ``and``/``&&``, ``or``/``||``, the ternary ``c ? a : b`` (``: b``
optional); and the text and mathematical functions of the guide listed in
:data:`FUNCTIONS`. A function the simulator does not know, or an operation that
fails (a division by zero, text where a number is needed), gives an empty value, as
a record the platform cannot compute. A syntax error is a misconfiguration.

Everything is bounded: the expression's length and nesting, the size of numbers and
of the text an expression builds.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

#: Longest expression read.
MAX_EXPRESSION = 10_000
#: Deepest nesting of an expression's tree.
MAX_NESTING = 64
#: Longest text an expression may build.
MAX_TEXT = 100_000

Node = tuple[Any, ...]


class ExpressionError(ValueError):
    """An expression that cannot be read: what is wrong, for people."""


class _Failed(Exception):
    """An operation without a result for this record."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<field>\$[A-Za-z0-9_]+)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>//|&&|\|\||==|!=|<=|>=|[-+*/%^&!?:(),<>])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and": "&&", "or": "||", "not": "not"}
_CONSTANTS = {"pi": math.pi, "e": math.e}
#: Binding power of each infix operator.
_INFIX = {
    "?": 10,
    "||": 20,
    "&&": 30,
    "==": 40,
    "!=": 40,
    "<": 40,
    "<=": 40,
    ">": 40,
    ">=": 40,
    "&": 50,
    "+": 60,
    "-": 60,
    "*": 70,
    "/": 70,
    "%": 70,
    "//": 80,
    "^": 90,
    "!": 100,
}
_NOT, _SIGN = 45, 85


def _tokens(source: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(source):
        if source[at:].strip() == "":
            break
        m = _TOKEN.match(source, at)
        if m is None or m.end() == at:
            raise ExpressionError(f"unexpected character {source[at:].strip()[:1]!r}")
        kind = m.lastgroup
        assert kind is not None
        text = m.group(kind)
        if kind == "name" and text.lower() in _KEYWORDS:
            kind, text = "op", _KEYWORDS[text.lower()]
        out.append((kind, text))
        at = m.end()
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.at = 0
        self.nesting = 0
        #: The depth of each node made, by its id (chains of operators deepen a tree too).
        self.depths: dict[int, int] = {}

    def made(self, node: Node) -> Node:
        """A new node, refused if it makes the tree deeper than the bound."""
        children = [c for c in node[1:] if isinstance(c, tuple)]
        children += [c for c in node[1:] if isinstance(c, list) for c in c]
        depth = 1 + max((self.depths.get(id(c), 1) for c in children), default=0)
        if depth > MAX_NESTING * 4:
            raise ExpressionError("the expression is too long a chain of operations")
        self.depths[id(node)] = depth
        return node

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.at += 1
        return token

    def expect(self, op: str) -> None:
        token = self.take()
        if token != ("op", op):
            raise ExpressionError(f"expected '{op}', found {token[1]!r}")

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("the expression is empty")
        node = self.expression(0)
        left = self.peek()
        if left is not None:
            raise ExpressionError(f"unexpected {left[1]!r}")
        return node

    def expression(self, power: int) -> Node:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError(f"nested deeper than {MAX_NESTING} levels")
        left = self.prefix()
        while True:
            token = self.peek()
            if token is None or token[0] != "op" or token[1] not in _INFIX:
                break
            op = token[1]
            bp = _INFIX[op]
            if bp <= power:
                break
            self.take()
            if op == "!":
                left = self.made(("fact", left))
            elif op == "?":
                yes = self.expression(0)
                no = None
                if self.peek() == ("op", ":"):
                    self.take()
                    no = self.expression(bp - 1)
                left = self.made(("tern", left, yes, no))
            else:
                right = self.expression(bp - 1 if op == "^" else bp)
                left = self.made(("bin", op, left, right))
        self.nesting -= 1
        return left

    def prefix(self) -> Node:
        kind, text = self.take()
        if kind == "number":
            return ("num", _number(text))
        if kind == "string":
            return ("str", _unquote(text))
        if kind == "field":
            return ("field", text[1:])
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take()
                args: list[Node] = []
                if self.peek() != ("op", ")"):
                    while True:
                        args.append(self.expression(0))
                        if self.peek() != ("op", ","):
                            break
                        self.take()
                self.expect(")")
                return self.made(("call", text.lower(), args))
            if text.lower() in _CONSTANTS:
                return ("num", _CONSTANTS[text.lower()])
            return ("field", text)
        if text == "(":
            inner = self.expression(0)
            self.expect(")")
            return inner
        if text in ("not", "!"):
            return self.made(("not", self.expression(_NOT)))
        if text in ("-", "+"):
            return self.made(("sign", text, self.expression(_SIGN)))
        raise ExpressionError(f"unexpected {text!r}")


def _number(text: str) -> int | float:
    if re.fullmatch(r"\d{1,30}", text):
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        raise ExpressionError(f"{text} is too large a number")
    return value


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.DOTALL)


# evaluating --------------------------------------------------------------------------


def truth(value: Any) -> bool:
    """Whether a value counts as true: ``'true'`` does, ``'false'`` and empty values do not."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0")
    return bool(value)


def _num(value: Any) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if re.fullmatch(r"[+-]?\d{1,30}", text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            raise _Failed from None
        if math.isfinite(number):
            return number
    raise _Failed


def _tidy(value: float | int) -> int | float:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Failed
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    elif abs(value) >= 2**63:
        return _tidy(float(value))
    return value


def text_of(value: Any) -> str:
    """A value as text, as concatenation writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _capped(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise _Failed
    return text


def _arith(op: str, a: Any, b: Any) -> Any:
    x, y = _num(a), _num(b)
    try:
        if op == "+":
            return _tidy(x + y)
        if op == "-":
            return _tidy(x - y)
        if op == "*":
            return _tidy(x * y)
        if op == "/":
            return _tidy(x / y)
        if op == "%":
            return _tidy(x % y)
        if op == "//":
            return _tidy(x // y)
        power = float(x) ** float(y)
        if isinstance(power, complex):  # a negative number to a fractional power
            raise _Failed
        return _tidy(power)
    except (ZeroDivisionError, OverflowError, ValueError):
        raise _Failed from None


def _compare(op: str, a: Any, b: Any) -> bool:
    """Numbers compare as numbers, anything else as text."""
    x: Any
    y: Any
    try:
        x, y = _num(a), _num(b)
    except _Failed:
        x, y = text_of(a), text_of(b)
    if op == "==":
        return x == y
    if op == "!=":
        return x != y
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


def _factorial(value: Any) -> Any:
    n = _num(value)
    if isinstance(n, float) or not 0 <= n <= 170:
        raise _Failed
    return _tidy(math.factorial(n))


def _justify(how: str) -> Callable[..., str]:
    def justify(text: Any, width: Any, fill: Any = " ") -> str:
        size, pad = _num(width), text_of(fill)
        if not isinstance(size, int) or size > MAX_TEXT or len(pad) != 1:
            raise _Failed
        return str(getattr(text_of(text), how)(size, pad))

    return justify


def _substring(text: Any, start: Any, length: Any = None) -> str:
    s, begin = text_of(text), _num(start)
    if not isinstance(begin, int):
        raise _Failed
    if length is None:
        return s[begin:]
    size = _num(length)
    if not isinstance(size, int):
        raise _Failed
    return s[begin : begin + size]


def _part(text: Any, count: Any, end: bool) -> str:
    s, n = text_of(text), _num(count)
    if not isinstance(n, int) or n < 0:
        raise _Failed
    return (s[-n:] if n else "") if end else s[:n]


def _unary_number(fn: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        try:
            return _tidy(fn(_num(value)))
        except (ValueError, OverflowError):
            raise _Failed from None

    return apply


#: The functions of the user guide the simulator evaluates, by name.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "isalpha": lambda t: text_of(t).isalpha(),
    "isnumeric": lambda t: text_of(t).isnumeric(),
    "isalnum": lambda t: text_of(t).isalnum(),
    "isdecimal": lambda t: re.fullmatch(r"[+-]?\d+([.,]\d+)?", text_of(t).strip()) is not None,
    "isdigit": lambda t: len(text_of(t)) == 1 and text_of(t).isdigit(),
    "islower": lambda t: text_of(t).islower(),
    "isupper": lambda t: text_of(t).isupper(),
    "empty": lambda t: text_of(t) == "",
    "contains": lambda t, s: text_of(s) in text_of(t),
    "startswith": lambda t, s: text_of(t).startswith(text_of(s)),
    "endswith": lambda t, s: text_of(t).endswith(text_of(s)),
    "length": lambda t: len(text_of(t)),
    "lower": lambda t: text_of(t).lower(),
    "upper": lambda t: text_of(t).upper(),
    "capitalize": lambda t: text_of(t).capitalize(),
    "capitalize_all": lambda t: text_of(t).title(),
    "ljust": _justify("ljust"),
    "rjust": _justify("rjust"),
    "center": _justify("center"),
    "normalize": lambda t: (
        unicodedata.normalize("NFKD", text_of(t)).encode("ascii", "ignore").decode()
    ),
    "substring": _substring,
    "count": lambda t, s: text_of(t).count(text_of(s)) if text_of(s) else 0,
    "left": lambda t, n: _part(t, n, end=False),
    "right": lambda t, n: _part(t, n, end=True),
    "mid": lambda t, start, n: _substring(t, _num(start) - 1, n),
    "abs": _unary_number(abs),
    "sqrt": _unary_number(math.sqrt),
    "floor": _unary_number(math.floor),
    "ceil": _unary_number(math.ceil),
    "round": _unary_number(round),
    "max": lambda a, b: max(_num(a), _num(b)),
    "min": lambda a, b: min(_num(a), _num(b)),
}


def _evaluate(node: Node, record: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind in ("num", "str"):
        return node[1]
    if kind == "field":
        return record.get(node[1])
    if kind == "not":
        return not truth(_evaluate(node[1], record))
    if kind == "sign":
        value = _num(_evaluate(node[2], record))
        return -value if node[1] == "-" else value
    if kind == "fact":
        return _factorial(_evaluate(node[1], record))
    if kind == "tern":
        if truth(_evaluate(node[1], record)):
            return _evaluate(node[2], record)
        return None if node[3] is None else _evaluate(node[3], record)
    if kind == "call":
        fn = FUNCTIONS.get(node[1])
        if fn is None:
            raise _Failed
        args = [_evaluate(a, record) for a in node[2]]
        try:
            result = fn(*args)
        except TypeError:  # the wrong number of arguments
            raise _Failed from None
        return _capped(result) if isinstance(result, str) else result
    op, a, b = node[1], node[2], node[3]
    if op == "&&":
        return truth(_evaluate(a, record)) and truth(_evaluate(b, record))
    if op == "||":
        return truth(_evaluate(a, record)) or truth(_evaluate(b, record))
    left, right = _evaluate(a, record), _evaluate(b, record)
    if op == "&":
        return _capped(text_of(left) + text_of(right))
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return _compare(op, left, right)
    return _arith(op, left, right)


class Expression:
    """An expression read once, evaluated for each record."""

    def __init__(self, source: str) -> None:
        if len(source) > MAX_EXPRESSION:
            raise ExpressionError(f"longer than {MAX_EXPRESSION:,} characters")
        self.source = source
        #: Literal text and parsed parts, in order.
        self.parts: list[str | Node] = []
        if source.startswith("="):
            self.parts = [_Parser(source[1:]).parse()]
            return
        at = 0
        for m in re.finditer(r"\{\{(.*?)\}\}", source, re.DOTALL):
            if m.start() > at:
                self.parts.append(source[at : m.start()])
            self.parts.append(_Parser(m.group(1)).parse())
            at = m.end()
        if at < len(source) or not self.parts:
            self.parts.append(source[at:])

    def __call__(self, record: Mapping[str, Any]) -> Any:
        """The expression's value for a record; ``None`` when it cannot be computed."""
        try:
            if len(self.parts) == 1:
                part = self.parts[0]
                return part if isinstance(part, str) else _evaluate(part, record)
            return _capped(
                "".join(
                    p if isinstance(p, str) else text_of(_evaluate(p, record)) for p in self.parts
                )
            )
        except (_Failed, RecursionError):
            return None
