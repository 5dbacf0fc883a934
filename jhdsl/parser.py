"""Text → AST: the Lark setup, the indentation post-lexer, error recovery, and the
transformer from Lark's parse tree to the attrs nodes of ``ast.py``.

A syntax error never stops at the first one: the offending line (with the lines indented
under it) is blanked out and the file parsed again, so a writer sees every broken line of a
file at once. No ``lark`` exception leaves this module.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from importlib import resources
from pathlib import Path

import attrs
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError
from lark.indenter import Indenter

from jhdsl import ast
from jhdsl.errors import ERROR, Diagnostic

MAX_SYNTAX_ERRORS = 50
SYNTAX_CODES = frozenset({"E100", "E101", "E102", "E103", "E104", "E105", "E106"})
"""Codes of problems after which the file was read only in part (lines were skipped)."""


# ---- loading the grammar ------------------------------------------------------------------


def grammar_text() -> str:
    """The grammar, from the installed package or, in a source checkout, from ``grammar/``."""
    packaged = resources.files("jhdsl").joinpath("grammar/jhdsl.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).parent.parent / "grammar" / "jhdsl.lark").read_text(encoding="utf-8")


class _Indentation(Indenter):
    """Turns leading spaces into _INDENT/_DEDENT tokens placed at the indented line itself.

    A full-width space counts two columns and a tab four; ``indentation_diagnostics`` has
    already reported both, so here they only keep the parse going.
    """

    NL_type = "_NL"
    OPEN_PAREN_types: list[str] = []
    CLOSE_PAREN_types: list[str] = []
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 4

    def handle_NL(self, token: Token):
        yield token
        indent_str = token.rsplit("\n", 1)[1]
        indent = indent_width(indent_str)
        line = token.line + token.count("\n")
        column = len(indent_str) + 1

        def at(kind: str) -> Token:
            return Token(kind, indent_str, token.end_pos, line, column, line, column, token.end_pos)

        if indent > self.indent_level[-1]:
            self.indent_level.append(indent)
            yield at(self.INDENT_type)
            return
        # A dedent to a column between two levels (reported already by E105) stays at the
        # deeper level, so that the line is read as its neighbours' sibling.
        while len(self.indent_level) > 1 and self.indent_level[-2] >= indent:
            self.indent_level.pop()
            yield at(self.DEDENT_type)


def leading_blanks(line: str) -> str:
    """The indentation of a line: its leading spaces, full-width spaces and tabs."""
    return line[: len(line) - len(line.lstrip(" \t\u3000"))]


def indent_width(indent: str) -> int:
    return indent.count(" ") + 2 * indent.count("\u3000") + 4 * indent.count("\t")


@functools.cache
def _lark() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        postlex=_Indentation(),
        propagate_positions=True,
        maybe_placeholders=False,
        cache=True,
    )


@functools.cache
def unit_words() -> frozenset[str]:
    """The units a number may carry (分, %, 名, 个百分点 …), read from the grammar's NUMBER."""
    pattern = next(t.pattern.value for t in _lark().terminals if t.name == "NUMBER")
    return frozenset(re.search(r"\(([^()]*)\)\?$", pattern).group(1).split("|"))


@functools.cache
def keywords() -> dict[str, str]:
    """Every keyword's spelling → its terminal name, read from the grammar itself."""
    found = {}
    for terminal in _lark().terminals:
        if terminal.name.startswith("KW_"):
            found[terminal.pattern.value] = terminal.name
    return found


# ---- indentation, checked before parsing --------------------------------------------------


def _is_blank(line: str) -> bool:
    stripped = line.strip(" \t\u3000\r")
    return not stripped or stripped[0] in "#＃"


def indentation_diagnostics(lines: list[str], file: str) -> list[Diagnostic]:
    """Tabs and full-width spaces in indentation, and dedents to a column never used.

    A level opened by a line indented with tabs or full-width spaces has a guessed width, so a
    misalignment against it is not reported a second time as E105.
    """
    found = []
    levels = [(0, False)]  # (width, whether that width is a guess)
    for number, line in enumerate(lines, start=1):
        if _is_blank(line):
            continue
        indent = leading_blanks(line)
        odd = next((i for i, char in enumerate(indent, start=1) if char in "\t\u3000"), None)
        if odd is not None:
            what = "制表符（Tab）" if indent[odd - 1] == "\t" else "全角空格"
            found.append(Diagnostic("E104", ERROR, f"缩进中有{what}", ast.Span(file, number, odd, number, odd + 1),
                                    "缩进请只用半角空格（建议每层两个），全角空格和制表符在不同编辑器里宽度不同"))
        width = indent_width(indent)
        if width > levels[-1][0]:
            levels.append((width, odd is not None))
            continue
        while len(levels) > 1 and levels[-2][0] >= width:
            levels.pop()
        if width != levels[-1][0] and not any(guess for _, guess in levels) and odd is None:
            found.append(Diagnostic("E105", ERROR, "缩进与上面任何一层都对不齐",
                                    ast.Span(file, number, 1, number, len(indent) + 1), "同一层的行应当从同一列开始"))
    return found


# ---- describing syntax errors in Chinese --------------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "名称",
    "QUOTED": "带引号的名称或文字",
    "NUMBER": "数字（如 3分、95%、2名）",
    "CMP": "比较符号（>=、≥、<、= …）",
    "ADD_OP": "加减号",
    "MUL_OP": "乘除号",
    "LPAR": "左括号",
    "RPAR": "右括号",
    "LBRACK": "左方括号",
    "RBRACK": "右方括号",
    "COLON": "冒号",
    "SEP": "逗号或顿号",
    "_NL": "换行",
    "_INDENT": "缩进的下一行",
    "_DEDENT": "缩进结束",
    "$END": "文件结尾",
}


def _terminal_word(name: str) -> str:
    spelling = {v: k for k, v in keywords().items()}.get(name)
    if spelling:
        return f"「{spelling}」"
    return _TERMINAL_WORDS.get(name, name)


def _token_word(token: Token) -> str:
    if token.type.startswith("KW_"):
        return f"关键字「{token}」"
    if token.type in ("NAME", "QUOTED"):
        return f"名称「{token}」"
    if token.type == "NUMBER":
        return f"数字「{token}」"
    if token.type in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[token.type]
    return f"「{token}」"


_FIRST_WORDS = ("NAME", "QUOTED", "NUMBER")


def _expected_words(expected: set[str]) -> str:
    """The expected terminals in words: names and numbers first, then keywords, then marks."""

    def order(name: str) -> tuple:
        if name in _FIRST_WORDS:
            return (0, _FIRST_WORDS.index(name), "")
        return (1 if name.startswith("KW_") else 2, 0, _terminal_word(name))

    words = []
    for name in sorted(expected, key=order):
        word = _terminal_word(name)
        if word not in words:
            words.append(word)
    shown = "、".join(words[:12])
    return shown + (" 等" if len(words) > 12 else "")


def _glued_keyword(text: str, expected: set[str]) -> str | None:
    """The keyword that ``text`` starts with, if it is glued to what follows it."""
    for spelling in sorted(keywords(), key=len, reverse=True):
        if text.startswith(spelling) and len(text) > len(spelling):
            rest = text[len(spelling) :]
            if rest[0].isdigit() or keywords()[spelling] in expected:
                return spelling
    return None


@attrs.frozen
class _SyntaxProblem:
    diagnostic: Diagnostic
    line: int | None  # the line whose block is blanked before parsing again


def _last_content_line(lines: list[str], before: int) -> int:
    """The last line before line ``before`` that holds more than blanks and comments."""
    for number in range(min(before - 1, len(lines)), 0, -1):
        if not _is_blank(lines[number - 1]):
            return number
    return 1


def _describe(error: UnexpectedInput, lines: list[str], file: str) -> _SyntaxProblem:
    if isinstance(error, UnexpectedCharacters):
        char = lines[error.line - 1][error.column - 1] if error.line <= len(lines) else "?"
        span = ast.Span(file, error.line, error.column, error.line, error.column + 1)
        hint = "若这是名称的一部分，请把整个名称放在引号中，如「0-3岁早期教育」；否则请删除它"
        if char in "%％" and re.search(r"\d\s+$", lines[error.line - 1][: error.column - 1]):
            hint = "数字和单位之间不要空格，如 90%"
        return _SyntaxProblem(Diagnostic("E103", ERROR, f"无法识别的字符「{char}」", span, hint), error.line)

    assert isinstance(error, UnexpectedToken)
    token = error.token
    expected = set(error.expected)
    if token.type in ("_DEDENT", "$END") or (token.type == "_NL" and "_INDENT" in expected):
        line = _last_content_line(lines, token.line if token.type != "$END" else len(lines) + 1)
        if token.type == "_NL":
            line = token.line
        end = len(lines[line - 1].rstrip()) + 1
        span = ast.Span(file, line, end, line, end + 1)
        message = f"这一行还没有写完，期望：{_expected_words(expected)}"
        return _SyntaxProblem(Diagnostic("E106", ERROR, message, span, None), line)

    span = ast.Span(
        file,
        token.line,
        token.column,
        token.end_line or token.line,
        token.end_column or token.column + 1,
    )
    if token.type == "_NL":
        end = len(lines[token.line - 1].rstrip()) + 1
        span = ast.Span(file, token.line, end, token.line, end + 1)
        message = f"这一行提前结束了，期望：{_expected_words(expected)}"
        return _SyntaxProblem(Diagnostic("E106", ERROR, message, span, None), token.line)
    if token.type == "_INDENT":
        span = ast.Span(file, token.line, 1, token.line, token.column)
        message = "这一行的缩进多了：上一行不是能带下级内容的行"
        hint = "项目、加分、减分、事实、参数、等次、分档、当 之下才可以缩进"
        return _SyntaxProblem(Diagnostic("E100", ERROR, message, span, hint), token.line)

    name_expected = bool(expected & {"NAME", "QUOTED"})
    if token.type.startswith("KW_") and name_expected:
        message = f"「{token}」是关键字，不能直接用作名称"
        hint = f"如果确实要用这个名称，请加引号：「{token}」"
        return _SyntaxProblem(Diagnostic("E101", ERROR, message, span, hint), token.line)
    if token.type == "NAME" and str(token) in _SYNONYMS:
        hint = f"请用关键字「{_SYNONYMS[str(token)]}」"
        return _SyntaxProblem(Diagnostic("E100", ERROR, f"此处不应出现{_token_word(token)}", span, hint), token.line)
    if token.type == "NAME":
        glued = _glued_keyword(str(token), expected)
        if glued:
            rest = str(token)[len(glued) :]
            message = f"关键字「{glued}」与后面的「{rest}」连在了一起"
            hint = f"关键字前后要有空格，应写作：{glued} {rest}"
            return _SyntaxProblem(Diagnostic("E102", ERROR, message, span, hint), token.line)
    line_text = lines[token.line - 1]
    starts_line = token.column == len(leading_blanks(line_text)) + 1
    hint = _likely_fix(token, line_text, expected)
    if hint is not None:
        message = f"此处不应出现{_token_word(token)}"
        return _SyntaxProblem(Diagnostic("E100", ERROR, message, span, hint), token.line)
    if token.type in ("NAME", "QUOTED", "NUMBER") and starts_line:
        message = f"这一行不是可以识别的语句：不能以{_token_word(token)}开头"
        hint = "每行应以关键字开头，如 项目、计分、扣分、按、加分、一票否决；名称中有空格或标点时请加引号"
        return _SyntaxProblem(Diagnostic("E100", ERROR, message, span, hint), token.line)
    message = f"此处不应出现{_token_word(token)}，期望：{_expected_words(expected)}"
    return _SyntaxProblem(Diagnostic("E100", ERROR, message, span, hint), token.line)


_FIELD_WORDS = {"full_marks": "满分", "target": "对象", "places": "小数位", "doc_number": "文号",
                "content": "内容", "method": "方式", "office": "科室", "start": "初始", "reward": "奖励",
                "fine": "罚款", "veto": "一票否决", "hand_down": "顺延"}

_SYNONYMS = {"如果": "若", "假如": "若", "当且": "且", "并且": "且", "而且": "且", "或者": "或", "不是": "非",
             "加": "加分", "减": "扣分", "得": "计"}


def _likely_fix(token: Token, line_text: str, expected: set[str]) -> str | None:
    """A hint for the mistakes writers make most, when the token shows which one it is."""
    text = str(token)
    before = line_text[: token.column - 1]
    if token.type == "NAME" and text in unit_words() and re.search(r"\d\s+$", before):
        number = re.search(r"(\d+(?:\.\d+)?)\s+$", before).group(1)
        return f"数字和单位之间不要空格，写作 {number}{text}"
    if token.type == "NUMBER" and expected & {"NAME", "QUOTED"}:
        return "以数字开头的名称请加引号，如「0-3岁早期教育」"
    if token.type == "CMP" and "KW_AND" in expected:
        return "两个比较请用「且」连起来，如：率 >= 80% 且 率 < 90%"
    if token.type in ("LPAR", "RPAR", "SEP", "COLON", "LBRACK", "RBRACK") and re.search(r"\S$", before):
        return "名称中含有标点时，请把整个名称放在引号中，如「宣传（每满）」"
    return None


def _blank_block(lines: list[str], line: int) -> None:
    """Blank ``line`` and every following line indented deeper than it."""
    if not 1 <= line <= len(lines):
        return
    own = indent_width(leading_blanks(lines[line - 1]))
    lines[line - 1] = ""
    for number in range(line + 1, len(lines) + 1):
        text = lines[number - 1]
        if _is_blank(text):
            continue
        indent = leading_blanks(text)
        if indent_width(indent) <= own:
            break
        lines[number - 1] = ""


# ---- parse tree → AST ---------------------------------------------------------------------

_CMP = {"≥": ">=", "≤": "<=", "≠": "!=", "＞＝": ">=", "＜＝": "<=", "！＝": "!=", "＞": ">",
        "＜": "<", "＝": "=", "==": "="}
_ARITH = {"＋": "+", "－": "-", "−": "-", "×": "*", "÷": "/", "＊": "*", "／": "/"}
_NUMBER = re.compile(r"([0-9.]+)(.*)")


def _normalise_cmp(op: str) -> str:
    return _CMP.get(op, op)


def _quantity(token: Token, span: ast.Span) -> ast.Quantity:
    text = unicodedata.normalize("NFKC", str(token))
    digits, unit = _NUMBER.fullmatch(text).groups()
    unit = {"%": "%", "％": "%"}.get(unit, unit)
    if unit == "万元":  # amounts are kept in yuan
        return ast.Quantity(Decimal(digits) * 10000, "元", span=span)
    return ast.Quantity(Decimal(digits), unit, span=span)


def _is_kw(child, name: str) -> bool:
    return isinstance(child, Token) and child.type == name


def _values(children) -> list:
    """Children that are not keyword or punctuation tokens."""
    return [c for c in children if not isinstance(c, Token)]


@v_args(meta=True)
class _ToAst(Transformer):
    """Builds ``ast`` nodes bottom-up; each method receives Lark's meta and the children."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def _span(self, meta) -> ast.Span | None:
        if getattr(meta, "empty", True):
            return None
        return ast.Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, token: Token) -> ast.Span:
        return ast.Span(self.file, token.line, token.column, token.end_line, token.end_column)

    # leaves
    def name(self, meta, children):
        token = children[0]
        text = str(token)
        if token.type == "QUOTED":
            text = text[1:-1]
        return _Name(text, self._token_span(token))

    def quantity(self, meta, children):
        return _quantity(children[0], self._token_span(children[0]))

    def signed(self, meta, children):
        number = children[-1]
        if len(children) == 2 and _ARITH.get(str(children[0]), str(children[0])) == "-":
            return attrs.evolve(number, value=-number.value, span=self._span(meta))
        return number

    # expressions
    def ref(self, meta, children):
        return ast.Ref(children[0].text, span=self._span(meta))

    def subscript(self, meta, children):
        name, key = _values(children)
        return ast.Subscript(name.text, key.text, span=self._span(meta))

    def yes(self, meta, children):
        return ast.Boolean(True, span=self._span(meta))

    def no(self, meta, children):
        return ast.Boolean(False, span=self._span(meta))

    def grade_ref(self, meta, children):
        return ast.GradeRef(span=self._span(meta))

    def base_ref(self, meta, children):
        return ast.BaseRef(span=self._span(meta))

    def total_ref(self, meta, children):
        return ast.TotalRef(span=self._span(meta))

    def atom(self, meta, children):
        return _values(children)[0]

    def comparison(self, meta, children):
        left, op, right = children
        return ast.Compare(_normalise_cmp(str(op)), left, right, span=self._span(meta))

    def _binary(self, meta, children, node):
        result = children[0]
        for op, right in zip(children[1::2], children[2::2], strict=True):
            span = ast.Span(self.file, result.span.line, result.span.column,
                            right.span.end_line, right.span.end_column)
            result = node(_ARITH.get(str(op), str(op)), result, right, span=span)
        return result

    def sum(self, meta, children):
        return self._binary(meta, children, ast.Arith)

    def product(self, meta, children):
        return self._binary(meta, children, ast.Arith)

    def sign(self, meta, children):
        op, operand = children
        if _ARITH.get(str(op), str(op)) == "-":
            return ast.Negate(operand, span=self._span(meta))
        return operand

    def negation(self, meta, children):
        return ast.Not(_values(children)[0], span=self._span(meta))

    def and_expr(self, meta, children):
        return ast.Logic("and", tuple(_values(children)), span=self._span(meta))

    def or_expr(self, meta, children):
        return ast.Logic("or", tuple(_values(children)), span=self._span(meta))

    # declarations
    def bool_type(self, meta, children):
        return ast.FactType(ast.BOOL, span=self._span(meta))

    def int_type(self, meta, children):
        return ast.FactType(ast.COUNT, span=self._span(meta))

    def num_type(self, meta, children):
        return ast.FactType(ast.NUMBER, span=self._span(meta))

    def money_type(self, meta, children):
        return ast.FactType(ast.MONEY, span=self._span(meta))

    def pct_type(self, meta, children):
        return ast.FactType(ast.PERCENT, span=self._span(meta))

    def enum_type(self, meta, children):
        choices = tuple(n.text for n in _values(children))
        return ast.FactType(ast.CHOICE, choices, span=self._span(meta))

    def keyed(self, meta, children):
        return _Keyed(_values(children)[0].text)

    def bounds(self, meta, children):
        low, high = _values(children)
        return _Bounds(low, high)

    def default(self, meta, children):
        return _Default(_values(children)[0])

    def choice(self, meta, children):
        return ast.Ref(children[0].text, span=self._span(meta))

    def note(self, meta, children):
        return _Note(_values(children)[0].text)

    def fact_decl(self, meta, children):
        parts = _values(children)
        name, fact_type = parts[0], parts[1]
        fields = {}
        for part in parts[2:]:
            if isinstance(part, _Keyed):
                fields["keyed_by"] = part.list_name
            elif isinstance(part, _Bounds):
                fields["low"], fields["high"] = part.low, part.high
            elif isinstance(part, _Default):
                fields["default"] = part.value
            elif isinstance(part, _Note):
                fields["note"] = part.text
        return ast.Fact(name.text, fact_type, span=name.span, **fields)

    def param_decl(self, meta, children):
        parts = _values(children)
        default = parts[2].value if len(parts) > 2 else None
        return ast.Param(parts[0].text, parts[1], default, span=parts[0].span)

    def facts(self, meta, children):
        return _Block("facts", tuple(_values(children)))

    def params(self, meta, children):
        return _Block("params", tuple(_values(children)))

    def list_decl(self, meta, children):
        parts = _values(children)
        members = tuple(p.text for p in parts[1:])
        return ast.ListDecl(parts[0].text, members, span=parts[0].span)

    # header
    def full_marks(self, meta, children):
        return ("full_marks", _values(children)[0], self._span(meta))

    def target(self, meta, children):
        return ("target", _values(children)[0].text, self._span(meta))

    def places(self, meta, children):
        return ("places", _values(children)[0], self._span(meta))

    def doc_number(self, meta, children):
        return ("doc_number", _values(children)[0].text, self._span(meta))

    def header(self, meta, children):
        name, *fields = _values(children)
        return ast.Header(name.text, span=name.span, **self._once(fields))

    def _once(self, fields: list[tuple[str, object, ast.Span | None]]) -> dict:
        """Fields given as (name, value, where); one written twice is reported, the first kept."""
        found: dict = {}
        for key, value, span in fields:
            if key in found:
                word = _FIELD_WORDS.get(key, key)
                self.diagnostics.append(Diagnostic("E202", ERROR, f"「{word}」写了不止一次", span, "只保留一行"))
                continue
            found[key] = value
        return found

    # rules
    def condition(self, meta, children):
        return _values(children)[0]

    def award_verb(self, meta, children):
        return ast.AWARD

    def deduct_verb(self, meta, children):
        return ast.DEDUCT

    def verb(self, meta, children):
        return children[0]

    def proportional(self, meta, children):
        return False

    def whole_steps(self, meta, children):
        return True

    def multiplier(self, meta, children):
        factor = Decimal(2) if children[0].type == "KW_DOUBLE" else Decimal("0.5")
        return ast.Multiplier(factor, _values(children)[0], span=self._span(meta))

    def fixed(self, meta, children):
        parts = [p for p in _values(children) if not isinstance(p, ast.Multiplier)]
        multipliers = tuple(p for p in _values(children) if isinstance(p, ast.Multiplier))
        sign, points = parts[0], parts[1]
        condition = parts[2] if len(parts) > 2 else None
        return ast.Fixed(sign, points, condition, multipliers, span=self._span(meta))

    def per_unit(self, meta, children):
        multipliers = tuple(p for p in _values(children) if isinstance(p, ast.Multiplier))
        measure, whole, step, sign, points, *rest = [p for p in _values(children) if not isinstance(p, ast.Multiplier)]
        cap = rest.pop(0) if any(_is_kw(c, "KW_CAP") for c in children) else None
        condition = rest[0] if rest else None
        return ast.PerUnit(measure, step, whole, sign, points, cap, condition, multipliers, span=self._span(meta))

    def full_award(self, meta, children):
        parts = _values(children)
        return parts[1] if len(parts) == 2 else None

    def rate(self, meta, children):
        parts = _values(children)
        measure, target, full, whole, step, _sign, slope = parts[:7]
        floor = parts[7] if len(parts) > 7 else None
        return ast.RateScale(measure, target, full, step, whole, slope, floor, span=self._span(meta))

    def outcome(self, meta, children):
        sign, points = _values(children)
        return (sign, points)

    def no_points(self, meta, children):
        return (0, None)

    def tier(self, meta, children):
        op, bound, (sign, points) = children[0], children[1], children[2]
        return ast.Tier(_normalise_cmp(str(op)), bound, sign, points, span=self._span(meta))

    def tier_else(self, meta, children):
        sign, points = _values(children)[0]
        return ast.Tier(None, None, sign, points, span=self._span(meta))

    def tiers(self, meta, children):
        measure, *tiers = _values(children)
        return ast.Tiers(measure, tuple(tiers), span=self._span(meta))

    def zero_if(self, meta, children):
        return ast.Override(False, _values(children)[0], span=self._span(meta))

    def full_if(self, meta, children):
        return ast.Override(True, _values(children)[0], span=self._span(meta))

    def not_applicable(self, meta, children):
        return ast.NotApplicable(_values(children)[0], span=self._span(meta))

    def each(self, meta, children):
        name, rule = _values(children)
        return ast.Each(name.text, rule, span=self._span(meta))

    def when(self, meta, children):
        condition = _values(children)[0]
        then, otherwise, current = [], [], None
        current = then
        for child in children[2:]:
            if _is_kw(child, "KW_OTHERWISE"):
                current = otherwise
            elif not isinstance(child, Token):
                current.append(child)
        return ast.When(condition, tuple(then), tuple(otherwise), span=self._span(meta))

    # items and sections
    def content(self, meta, children):
        return _Info("content", _values(children)[0].text, self._span(meta))

    def method(self, meta, children):
        return _Info("method", _values(children)[0].text, self._span(meta))

    def office(self, meta, children):
        return _Info("office", _values(children)[0].text, self._span(meta))

    def start_points(self, meta, children):
        if any(_is_kw(c, "KW_FULL") for c in children):
            return _Start(None, True, self._span(meta))
        return _Start(_values(children)[0], False, self._span(meta))

    def _body(self, body: list) -> dict:
        """The lines under an item or section, sorted into the node's fields."""
        lists: dict = {"children": [], "rules": [], "vetoes": []}
        single: list[tuple[str, object]] = []
        for part in body:
            if isinstance(part, _Info):
                single.append((part.field, part.text, part.span))
            elif isinstance(part, _Start):
                single.append(("start", part, part.span))
            elif isinstance(part, ast.Item | ast.Section):
                lists["children"].append(part)
            elif isinstance(part, ast.Veto):
                lists["vetoes"].append(part)
            else:
                lists["rules"].append(part)
        fields = {k: tuple(v) for k, v in lists.items()} | self._once(single)
        start = fields.pop("start", None)
        if start is not None:
            fields["start"], fields["start_full"] = start.points, start.full
        return fields

    def item(self, meta, children):
        name, points, *body = _values(children)
        fields = self._body(body)
        if fields["children"] and ("start" in fields):
            self.diagnostics.append(Diagnostic("E407", ERROR, f"「{name.text}」有子项，不能写「初始」", name.span,
                                               "「初始」只用于没有子项的项目"))
        negative = any(_is_kw(c, "KW_NEGATIVE") for c in children)
        return ast.Item(name.text, points, span=name.span, negative=negative, **fields)

    def section(self, meta, children):
        sign = ast.AWARD if children[0].type == "KW_BONUS" else ast.DEDUCT
        name, *body = _values(children)
        cap = body.pop(0) if any(_is_kw(c, "KW_CAP") for c in children) else None
        gate = body.pop(0) if body and isinstance(body[0], ast.Expr) else None
        fields = self._body(body)
        highest = any(_is_kw(c, "KW_HIGHEST") for c in children)
        return ast.Section(sign, name.text, cap, fields.get("content"), fields["rules"], fields["children"],
                           fields["vetoes"], highest, gate, span=name.span)

    def climb_one(self, meta, children):
        return _Climb(1)

    def climb_levels(self, meta, children):
        levels = _values(children)[0]
        if levels.value != levels.value.to_integral_value() or levels.value < 1:
            self.diagnostics.append(Diagnostic("E303", ERROR, "上否的级数应是正整数", levels.span, "如：上否 2级"))
        return _Climb(int(levels.value))

    def veto(self, meta, children):
        parts = _values(children)
        name, condition = parts[0], parts[1]
        climb = next((p.levels for p in parts if isinstance(p, _Climb)), 0)
        content = next((p.text for p in parts[2:] if isinstance(p, _Info) and p.field == "content"), None)
        return ast.Veto(name.text, condition, content, climb, span=name.span)

    # the total, eligibility, rankings and outcomes
    def share_cut(self, meta, children):
        share, condition, *infos = _values(children)
        content = next((i.text for i in infos if i.field == "content"), None)
        return ast.ShareCut(share, condition, content, span=self._span(meta))

    def requirement(self, meta, children):
        return ("requirements", ast.Condition(_values(children)[0], span=self._span(meta)))

    def exclusion(self, meta, children):
        return ("exclusions", ast.Condition(_values(children)[0], span=self._span(meta)))

    def eligibility(self, meta, children):
        lines = _values(children)
        return ast.Eligibility(tuple(c for k, c in lines if k == "requirements"),
                               tuple(c for k, c in lines if k == "exclusions"), span=self._span(meta))

    def rank_key(self, meta, children):
        value = children[0]
        return _RankKey(None if isinstance(value, Token) else value.text)

    def rank_option(self, meta, children):
        return children[0].type

    def tie_break(self, meta, children):
        return _TieBreak(_values(children)[0].name)

    def ranking(self, meta, children):
        name, key, *rest = _values(children)
        tie = next((r for r in rest if isinstance(r, _TieBreak)), None)
        return ast.Ranking(name.text, key.name, "KW_ASCENDING" in rest, "KW_IN_GROUP" in rest,
                           tie.name if tie else None, tie is not None, span=name.span)

    def top(self, meta, children):
        ranking, count = _values(children)
        return {"ranking": ranking.text, "select": "top", "count": count}

    def bottom(self, meta, children):
        ranking, count = _values(children)
        return {"ranking": ranking.text, "select": "bottom", "count": count}

    def by_quota(self, meta, children):
        ranking, table = _values(children)
        return {"ranking": ranking.text, "select": "quota", "quota": table.text}

    def by_condition(self, meta, children):
        return {"ranking": None, "select": "condition", "condition": _values(children)[0]}

    def aggregate_fn(self, meta, children):
        return str(children[0])

    def aggregate(self, meta, children):
        function, name = [c for c in children if not (isinstance(c, Token) and c.type in ("LPAR", "RPAR"))]
        return ast.Aggregate(function, name.text, span=self._span(meta))

    def is_eligible(self, meta, children):
        return ast.IsEligible(span=self._span(meta))

    def holds(self, meta, children):
        return ast.Holds(_values(children)[0].text, span=self._span(meta))

    def reward(self, meta, children):
        return ("reward", _values(children)[0], self._span(meta))

    def fine(self, meta, children):
        return ("fine", _values(children)[0], self._span(meta))

    def result_veto(self, meta, children):
        return ("veto", True, self._span(meta))

    def hand_down(self, meta, children):
        return ("hand_down", tuple(n.text for n in _values(children)), self._span(meta))

    def result(self, meta, children):
        name, selection, *lines = _values(children)
        fields = self._once([(i.field, i.text, i.span) if isinstance(i, _Info) else i for i in lines])
        return ast.Outcome(name.text, **selection, **{k: v for k, v in fields.items() if k in _OUTCOME_FIELDS},
                           span=name.span)

    def weight_share(self, meta, children):
        return ("share", _values(children)[0])

    def weight_rescale(self, meta, children):
        return ("rescale", _values(children)[0])

    def component(self, meta, children):
        name, *rest = _values(children)
        weight = dict(w for w in rest if isinstance(w, tuple))
        source = next((r.text for r in rest if isinstance(r, _Name)), None)
        period = next((r.name for r in rest if isinstance(r, _Period)), None)
        source_file = None
        if any(_is_kw(c, "KW_POLICY_FILE") for c in children):
            source, source_file = None, source
        condition = next((r for r in rest if isinstance(r, ast.Expr)), None)
        return ast.Component(name.text, source, weight.get("share"), weight.get("rescale"), condition,
                             source_file, period=period, span=name.span)

    def period(self, meta, children):
        return _Period(_values(children)[0].text)

    def combination(self, meta, children):
        name, *components = _values(children)
        return ast.Combination(name.text, tuple(components), span=name.span)

    def quota_row(self, meta, children):
        group, count = _values(children)
        return ast.QuotaRow(group.text, count, span=group.span)

    def quota_table(self, meta, children):
        name, *rest = _values(children)
        stated = rest.pop(0) if rest and isinstance(rest[0], ast.Quantity) else None
        return ast.QuotaTable(name.text, tuple(rest), stated, span=name.span)

    # grades
    def _band_op(self, token: Token) -> str:
        op = _normalise_cmp(str(token))
        if op == "!=":
            self.diagnostics.append(Diagnostic("E301", ERROR, "等次的界线不能用 ≠", self._token_span(token),
                                               "用 >=、>、<=、< 写明界线，如 80 <= 总分 < 90"))
        return op

    def _band_value(self, value: ast.Quantity) -> Decimal:
        if value.kind not in (ast.POINTS, ast.PLAIN):
            self.diagnostics.append(Diagnostic("E305", ERROR, f"等次的界线「{value}」应是分数", value.span,
                                               f"写作 {ast.expr_text(attrs.evolve(value, unit=''))} 或带「分」"))
        return value.value

    def band_one(self, meta, children):
        op, value = self._band_op(children[1]), self._band_value(children[2])
        return _band_bounds(op, value, total_on_left=True)

    def band_two(self, meta, children):
        low_value, low_op, _total, high_op, high_value = children
        low = _band_bounds(self._band_op(low_op), self._band_value(low_value), total_on_left=False)
        high = _band_bounds(self._band_op(high_op), self._band_value(high_value), total_on_left=True)
        if low.high is not None or high.low is not None:
            self.diagnostics.append(Diagnostic(
                "E501", ERROR, "等次的两个比较方向不一致", self._span(meta), "写作 下限 <= 总分 < 上限，如 80 <= 总分 < 90"))
        return _BandRange(low.low or high.low, high.high or low.high, False)

    def band_else(self, meta, children):
        return _BandRange(None, None, True)

    def band(self, meta, children):
        name, band_range = _values(children)
        return ast.Band(name.text, band_range.low, band_range.high, band_range.otherwise, span=name.span)

    def grades(self, meta, children):
        return _Block("grades", tuple(_values(children)))

    def start(self, meta, children):
        fields: dict = {"params": [], "lists": [], "facts": [], "items": [], "sections": [],
                        "vetoes": [], "bands": [], "share_cuts": [], "rankings": [], "outcomes": [], "quotas": []}
        eligibility = combination = None
        header = None
        for block in _values(children):
            if isinstance(block, ast.Header):
                if header is not None:
                    self.diagnostics.append(Diagnostic("E202", ERROR, "一个文件只能有一个「考核」标题", block.span,
                                                       f"第一个标题在第 {header.span.line} 行"))
                header = header or block
            elif isinstance(block, _Block):
                key = {"facts": "facts", "params": "params", "grades": "bands"}[block.kind]
                fields[key].extend(block.entries)
            elif isinstance(block, ast.Combination):
                if combination is not None:
                    self.diagnostics.append(Diagnostic("E202", ERROR, "「组成」只能写一处", block.span))
                combination = combination or block
            elif isinstance(block, ast.Eligibility):
                if eligibility is not None:
                    self.diagnostics.append(Diagnostic("E202", ERROR, "「资格」只能写一处", block.span,
                                                       f"把条件合并到第 {eligibility.span.line} 行的「资格」中"))
                eligibility = eligibility or block
            else:
                fields[_BLOCK_FIELDS[type(block)]].append(block)
        span = self._span(meta) or ast.Span(self.file, 1, 1, 1, 1)
        return ast.Policy(header, **{k: tuple(v) for k, v in fields.items()}, eligibility=eligibility,
                          combination=combination, span=span)


def _band_bounds(op: str, value: Decimal, total_on_left: bool) -> _BandRange:
    """``总分 op value`` (or ``value op 总分``) as the band's lower or upper bound."""
    if not total_on_left:
        op = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}.get(op, op)
    if op in (">=", ">"):
        return _BandRange(ast.Bound(value, op == ">="), None, False)
    if op in ("<=", "<"):
        return _BandRange(None, ast.Bound(value, op == "<="), False)
    return _BandRange(ast.Bound(value, True), ast.Bound(value, True), False)


_BLOCK_FIELDS = {ast.ListDecl: "lists", ast.Item: "items", ast.Section: "sections", ast.Veto: "vetoes",
                 ast.ShareCut: "share_cuts", ast.Ranking: "rankings", ast.Outcome: "outcomes",
                 ast.QuotaTable: "quotas"}
_OUTCOME_FIELDS = {"reward", "fine", "veto", "hand_down", "content"}


@attrs.frozen
class _Period:
    name: str


@attrs.frozen
class _Climb:
    levels: int


@attrs.frozen
class _RankKey:
    name: str | None  # None: 总分


@attrs.frozen
class _TieBreak:
    name: str | None


@attrs.frozen
class _Name:
    text: str
    span: ast.Span


@attrs.frozen
class _Keyed:
    list_name: str


@attrs.frozen
class _Bounds:
    low: ast.Quantity
    high: ast.Quantity


@attrs.frozen
class _Default:
    value: object


@attrs.frozen
class _Note:
    text: str


@attrs.frozen
class _Block:
    kind: str
    entries: tuple


@attrs.frozen
class _Info:
    field: str
    text: str
    span: ast.Span | None


@attrs.frozen
class _Start:
    points: ast.Quantity | None
    full: bool
    span: ast.Span | None


@attrs.frozen
class _BandRange:
    low: ast.Bound | None
    high: ast.Bound | None
    otherwise: bool


# ---- the entry point ----------------------------------------------------------------------


@attrs.frozen
class ParseResult:
    """The policy as far as it could be read, and the syntax problems found on the way."""

    policy: ast.Policy
    diagnostics: tuple[Diagnostic, ...]


def parse(text: str, file: str = "<policy>") -> ParseResult:
    """Parse a policy's text, reporting every syntax error of the file, not just the first."""
    text = text.lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").split("\n")
    diagnostics = indentation_diagnostics(lines, file)
    working = list(lines)
    tree = None
    for _ in range(MAX_SYNTAX_ERRORS):
        try:
            tree = _lark().parse("\n".join(working) + "\n")
            break
        except UnexpectedInput as error:
            problem = _describe(error, working, file)
            diagnostics.append(problem.diagnostic)
            if problem.line is None or not working[problem.line - 1].strip():
                break
            _blank_block(working, problem.line)
    if tree is None:
        tree = Tree("start", [])
    builder = _ToAst(file)
    try:
        policy = builder.transform(tree)
    except VisitError as error:  # a bug of ours, not the writer's: keep the cause visible
        raise error.orig_exc from error
    diagnostics.extend(builder.diagnostics)
    return ParseResult(policy, tuple(sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key)))
