"""From a plan to one SQL query, built as a sqlglot expression tree and printed for a dialect.

The bindings of a plan are laid out in layers: a layer computes every binding whose inputs
are all in the layers before it, so each layer is one ``SELECT *, … FROM`` the previous one,
and a value is computed once however many later steps read it. Sums, choices and extremes
are left in the type the engine gives them (DuckDB and Spark both widen a decimal sum by one
digit, and a CASE or LEAST to hold every branch, exactly) unless the plan's narrower type
lets the engine keep the value in fewer bits; a product is computed in a type wide enough
for it, and a division that does not come out exact is done the long way, with integers, so
that the quotient is rounded half-up at the plan's division scale on every engine alike.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
from sqlglot import exp

from jhdsl.compiler import GROUP_COLUMN, UNIT_COLUMN, CompileError
from jhdsl.ir import (
    DIALECTS,
    DIVISION_SCALE,
    MAX_PRECISION,
    Call,
    Column,
    Const,
    Node,
    Plan,
    Rank,
    Type,
    Window,
    decimal_type,
)

INTEGER_TYPES = {"duckdb": "HUGEINT", "spark": "DECIMAL(38, 0)", "postgres": "NUMERIC"}
"""Where a division is done the long way: the widest exact integer of each engine."""

PARENT_COLUMN = "上级单位"

_COMPARISONS = {"<": exp.LT, "<=": exp.LTE, "=": exp.EQ, "!=": exp.NEQ, ">": exp.GT, ">=": exp.GTE}


def _identifier(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _column(name: str) -> exp.Column:
    return exp.Column(this=_identifier(name))


def sql_type(kind: Type) -> exp.DataType:
    """The SQL type of a plan's type (the same in every dialect this module prints)."""
    if kind.kind == "bool":
        return exp.DataType.build("BOOLEAN")
    if kind.kind == "text":
        return exp.DataType.build("VARCHAR")
    return exp.DataType.build(f"DECIMAL({kind.precision}, {kind.scale})")


def _number(value: Decimal | int) -> exp.Expression:
    text = f"{Decimal(value):f}"
    literal = exp.Literal.number(text.lstrip("-"))
    return exp.Neg(this=literal) if text.startswith("-") else literal


_STORAGE_DIGITS = (4, 9, 18)
"""DuckDB holds a DECIMAL of up to 4, 9 or 18 digits in 16, 32 or 64 bits, a wider one in 128
(Spark up to 18 in a long): arithmetic on the narrower is the faster."""


def _storage(precision: int) -> int:
    return sum(precision > digits for digits in _STORAGE_DIGITS)


def needs_cast(planned: Type, computed: Type) -> bool:
    """Whether a decimal the engine computes as ``computed`` must be cast to the plan's type:
    when its scale differs, or when the plan's type lets the engine store it in fewer bits."""
    if planned.kind != "decimal":
        return False
    return (computed.kind != "decimal" or computed.scale != planned.scale
            or _storage(computed.precision) != _storage(planned.precision))


class SqlBuilder:
    """Turns the nodes of one plan into sqlglot expressions for one dialect. ``columns`` holds
    the type each column has in the query (the plan's, or the engine's own where no cast was
    needed), so that later steps know what the engine will compute in."""

    def __init__(self, dialect: str) -> None:
        if dialect not in DIALECTS:
            raise CompileError(f"不支持的 SQL 方言「{dialect}」，可选：{'、'.join(DIALECTS)}")
        self.dialect = dialect
        self.columns: dict[str, Type] = {}

    def computed_type(self, node: Node) -> Type:
        """The type the engine gives the SQL of ``node``: what ``needs_cast`` compares with."""
        if isinstance(node, Column):
            return self.columns.get(node.name, node.type)
        if not isinstance(node, Call) or node.type.kind != "decimal":
            return node.type
        if node.op in ("neg", "null_if_any"):
            return self.computed_type(node.args[0])
        if node.op in _COMBINED:
            return _widest(self.operand_types(node)[0], extra_digit=node.op == "+")
        if node.op == "as":
            inner = self.computed_type(node.args[0])
            return node.type if needs_cast(node.type, inner) else inner
        return node.type  # products, quotients, steps, rounding: cast to the plan's type

    def operand_types(self, node: Call) -> tuple[list[Type], bool]:
        """The types the engine combines for a sum, CASE or extreme, and whether the operands are
        cast to the plan's types first: when in the engine's own types they would need more
        than 38 digits, where DuckDB would drop decimal places and Spark integer digits."""
        operands = _combined_operands(node)
        computed = [self.computed_type(a) for a in operands]
        values = [kind for a, kind in zip(operands, computed, strict=True) if a.type.kind == "decimal"]
        if values and _too_wide(values, node.op == "+"):
            return [a.type for a in operands], True
        return computed, False

    def fitted(self, expression: exp.Expression, node: Node) -> exp.Expression:
        """``expression`` (the SQL of ``node``), cast to the plan's type where that is needed."""
        return self.cast(expression, node.type) if needs_cast(node.type, self.computed_type(node)) else expression

    def cast(self, expression: exp.Expression, kind: Type) -> exp.Expression:
        return exp.Cast(this=expression, to=sql_type(kind))

    def integer(self, expression: exp.Expression) -> exp.Expression:
        return exp.Cast(this=expression, to=exp.DataType.build(INTEGER_TYPES[self.dialect], dialect=self.dialect))

    def int_div(self, a: exp.Expression, b: exp.Expression) -> exp.Expression:
        """⌊a ÷ b⌋ of two integers ≥ 0, as the wide integer type (Spark's DIV gives a BIGINT)."""
        return self.integer(exp.IntDiv(this=a, expression=b))

    def unscaled(self, value: exp.Expression, value_scale: int, scale: int) -> exp.Expression:
        """|value| × 10^scale as a wide integer (value has at most ``scale`` places): the whole
        part and the fraction are shifted apart, so that no DECIMAL has to hold the shifted
        number with its places still attached."""
        magnitude = exp.Abs(this=value)
        whole = exp.Floor(this=magnitude)
        shift = _number(Decimal(10) ** scale)
        if value_scale == 0:
            return exp.Paren(this=exp.Mul(this=self.integer(magnitude), expression=shift))
        fraction = exp.Sub(this=self.cast(magnitude, decimal_type(MAX_PRECISION - value_scale, value_scale)),
                           expression=whole)
        return exp.Paren(this=exp.Add(this=exp.Mul(this=self.integer(whole), expression=shift),
                                      expression=self.integer(exp.Mul(this=exp.Paren(this=fraction), expression=shift))))

    def node(self, node: Node) -> exp.Expression:
        match node:
            case Const(value=None):
                return exp.Cast(this=exp.Null(), to=sql_type(node.type))
            case Const(value=bool()):
                return exp.Boolean(this=node.value)
            case Const(value=str()):
                return exp.Literal.string(node.value)
            case Const():
                return self.cast(_number(node.value), node.type)
            case Column():
                return _column(node.name)
            case Window():
                return self.window(node)
            case Rank():
                return self.rank(node)
            case Call() if node.type.may_overflow and self.dialect == "duckdb":
                return exp.Anonymous(this="TRY", expressions=[self.call(node)])  # NULL, not an error
            case Call():
                return self.call(node)
        raise TypeError(node)

    def call(self, node: Call) -> exp.Expression:
        op, args = node.op, node.args
        parts = [self.node(a) for a in args]
        if op in _COMBINED and node.type.kind == "decimal" and self.operand_types(node)[1]:
            parts = [self.cast(part, a.type) if a.type.kind == "decimal" else part for part, a in zip(parts, args, strict=True)]
        match op:
            case "+":
                return exp.Paren(this=exp.Add(this=parts[0], expression=parts[1]))
            case "neg":
                return exp.Paren(this=exp.Neg(this=parts[0]))
            case "*":
                # widen one side first, so that the engine gives the product all its digits (those of
                # the factors' types: the product's bounds may be narrower, 0 × anything is 0)
                whole = decimal_type(args[0].type.digits + args[1].type.digits, args[0].type.scale + args[1].type.scale)
                wide = decimal_type(whole.precision - args[0].type.scale, args[0].type.scale)
                product = exp.Mul(this=self.cast(parts[0], wide), expression=parts[1])
                return self.cast(product, node.type)
            case "div":
                return self.divide(args[0], args[1], parts[0], parts[1], node.type)
            case "steps":  # both ≥ 0
                scale = max(args[0].type.scale, args[1].type.scale)
                whole = self.int_div(self.unscaled(parts[0], args[0].type.scale, scale),
                                     self.unscaled(parts[1], args[1].type.scale, scale))
                return self.cast(whole, node.type)
            case "as":
                return self.fitted(parts[0], args[0])
            case "round":
                return self.cast(exp.Round(this=parts[0], decimals=exp.Literal.number(DIVISION_SCALE)), node.type)
            case "min":
                return exp.Least(this=parts[0], expressions=parts[1:], ignore_nulls=True)
            case "max":
                return exp.Greatest(this=parts[0], expressions=parts[1:], ignore_nulls=True)
            case "if":
                case = exp.Case()
                if args[0].type.nullable:
                    case = case.when(exp.Is(this=parts[0], expression=exp.Null()), exp.Null())
                return case.when(parts[0], parts[1]).else_(parts[2])
            case "and" | "or":
                combine = exp.And if op == "and" else exp.Or
                result = parts[0]
                for part in parts[1:]:
                    result = combine(this=result, expression=part)
                return exp.Paren(this=result)
            case "not":
                return exp.Not(this=exp.Paren(this=parts[0]))
            case "null_if_any":
                missing = self.any_null(parts[1:])
                return exp.Case().when(missing, exp.Null()).else_(parts[0])
            case "any_null":
                return exp.Paren(this=self.any_null(parts))
        if op in _COMPARISONS:
            return exp.Paren(this=_COMPARISONS[op](this=parts[0], expression=parts[1]))
        raise TypeError(op)

    def any_null(self, parts: list[exp.Expression]) -> exp.Expression:
        result = None
        for part in parts:
            test = exp.Is(this=part, expression=exp.Null())
            result = test if result is None else exp.Or(this=result, expression=test)
        return result

    def divide(self, a: Node, b: Node, left: exp.Expression, right: exp.Expression, kind: Type) -> exp.Expression:
        """a ÷ b rounded half-up at the division scale, by long division on integers:
        |A| = q·|B| + r, then 18 more digits f of r ÷ |B| with remainder r₂, and one more
        unit in the last place when 2·r₂ ≥ |B|; NULL when b is 0."""
        scale = max(a.type.scale, b.type.scale)
        if b.type.digits + scale + DIVISION_SCALE + 1 > MAX_PRECISION:
            raise CompileError("除数的位数过多，编译引擎无法精确计算这个除法")
        top_abs = self.unscaled(left, a.type.scale, scale)
        bottom_abs = self.unscaled(right, b.type.scale, scale)
        unit = _number(Decimal(10) ** DIVISION_SCALE)
        whole = self.int_div(top_abs, bottom_abs)
        rest = exp.Sub(this=top_abs, expression=exp.Mul(this=whole, expression=bottom_abs))
        shifted = exp.Mul(this=exp.Paren(this=rest), expression=unit)
        digits = self.int_div(shifted, bottom_abs)
        remainder = exp.Sub(this=shifted, expression=exp.Mul(this=digits, expression=bottom_abs))
        up = exp.Case().when(exp.GTE(this=exp.Mul(this=_number(2), expression=exp.Paren(this=remainder)),
                                     expression=bottom_abs), _number(1)).else_(_number(0))
        magnitude = exp.Add(this=exp.Add(this=exp.Mul(this=whole, expression=unit), expression=digits), expression=up)
        exact = exp.Mul(this=exp.Cast(this=magnitude, to=exp.DataType.build("DECIMAL(38, 0)")),
                        expression=self.cast(_number(Decimal(1).scaleb(-DIVISION_SCALE)), decimal_type(0, DIVISION_SCALE)))
        negative = exp.NEQ(this=exp.Paren(this=exp.LT(this=left, expression=_number(0))),
                           expression=exp.Paren(this=exp.LT(this=right, expression=_number(0))))
        return (exp.Case()
                .when(exp.EQ(this=right, expression=_number(0)), exp.Null())
                .when(negative, self.cast(exp.Neg(this=exact), kind))
                .else_(self.cast(exact, kind)))

    def window(self, node: Window) -> exp.Expression:
        value = self.node(node.arg)
        if node.function == "rank_desc":
            order = exp.Order(expressions=[exp.Ordered(this=value, desc=True, nulls_first=False)])
            return exp.Window(this=exp.Anonymous(this="RANK"), order=order)
        function = {"sum": exp.Sum, "count": exp.Count, "max": exp.Max, "min": exp.Min}[node.function]
        return exp.Window(this=function(this=value))

    def rank(self, node: Rank) -> exp.Expression:
        partition = [self.node(g) for g in node.groups]
        if node.what == "size":
            return exp.Window(this=exp.Count(this=exp.Star()), partition_by=partition)
        ordered = [exp.Ordered(this=self.node(key), desc=not ascending, nulls_first=False)
                   for key, ascending in node.keys]
        rank = exp.Window(this=exp.Anonymous(this="RANK"), partition_by=partition, order=exp.Order(expressions=ordered))
        if node.what == "rank":
            return rank
        # tied: another unit of the group has the same keys
        same = exp.Window(this=exp.Count(this=exp.Star()),
                          partition_by=partition + [self.node(key) for key, _ in node.keys])
        return exp.GT(this=same, expression=_number(1))


_COMBINED = ("+", "min", "max", "if")
"""Operations whose result type the engine makes from its operands' (widest digits, widest places)."""


def _combined_operands(node: Call) -> tuple[Node, ...]:
    return node.args[1:] if node.op == "if" else node.args  # an if's first operand is its condition


def _too_wide(kinds: list[Type], extra_digit: bool) -> bool:
    return max(k.digits for k in kinds) + extra_digit + max(k.scale for k in kinds) > MAX_PRECISION


def _widest(kinds: list[Type], extra_digit: bool = False) -> Type:
    """The decimal type an engine gives a CASE, LEAST or GREATEST of ``kinds`` (or, with one
    more digit, their sum): as many digits and places as the widest, at most 38 in all."""
    digits, scale = max(k.digits for k in kinds) + extra_digit, max(k.scale for k in kinds)
    return Type("decimal", min(digits, MAX_PRECISION - scale), scale)


def _layers(plan: Plan) -> list[list[int]]:
    """The bindings of each layer, by index: a binding goes one layer after its last input."""
    level: dict[str, int] = {}
    layers: list[list[int]] = []
    for index, binding in enumerate(plan.bindings):
        depth = 1 + max((level.get(name, 0) for name in _inputs(binding.node)), default=0)
        if isinstance(binding.node, Rank | Window):
            depth = max(depth, 1)
        level[binding.name] = depth
        while len(layers) < depth:
            layers.append([])
        layers[depth - 1].append(index)
    return layers


def _inputs(node: Node):
    match node:
        case Column():
            yield node.name
        case Call():
            for arg in node.args:
                yield from _inputs(arg)
        case Window():
            yield from _inputs(node.arg)
        case Rank():
            for key, _ in node.keys:
                yield from _inputs(key)
            for group in node.groups:
                yield from _inputs(group)


def _inlined(plan: Plan) -> Plan:
    """The plan with every binding that is read once, and is not a result, written into the one
    expression that reads it: fewer columns for the engine to carry from layer to layer."""
    uses: dict[str, int] = {}
    for binding in plan.bindings:
        for name in _inputs(binding.node):
            uses[name] = uses.get(name, 0) + 1
        for node in _calls(binding.node):
            if node.op in REPEATED_OPERANDS:  # written out several times in the SQL: keep them named
                for name in (a.name for a in node.args if isinstance(a, Column)):
                    uses[name] = uses.get(name, 0) + 2
    outputs = {o.column for o in plan.outputs}
    replaced: dict[str, Node] = {}
    kept = []
    for binding in plan.bindings:
        node = _substitute(binding.node, replaced)
        if uses.get(binding.name) == 1 and binding.name not in outputs and not isinstance(node, Window | Rank):
            replaced[binding.name] = Call("as", (node,), node.type) if node.type.kind == "decimal" else node
        else:
            kept.append(attrs.evolve(binding, node=node))
    return attrs.evolve(plan, bindings=tuple(kept))


REPEATED_OPERANDS = ("div", "steps", "null_if_any", "if")
"""Operations whose SQL repeats an operand (the long division, the NULL guards)."""


def _calls(node: Node):
    if isinstance(node, Call):
        yield node
        for arg in node.args:
            yield from _calls(arg)


def _substitute(node: Node, replaced: dict[str, Node]) -> Node:
    match node:
        case Column() if node.name in replaced:
            return replaced[node.name]
        case Call():
            return attrs.evolve(node, args=tuple(_substitute(a, replaced) for a in node.args))
    return node  # a window or rank reads its columns by name: they stay bound


def build_query(plan: Plan, source: str | exp.Expression = "facts", dialect: str = "duckdb",
                row_order: str | None = None) -> exp.Select:
    """The whole plan as one SELECT over the facts table ``source`` (a name or a query) whose
    columns are 单位, 所属县区, 上级单位 and the plan's facts; in the order of the column
    ``row_order`` when one is named (window functions do not keep the table's order)."""
    builder = SqlBuilder(dialect)
    plan = _inlined(plan)
    keep = [UNIT_COLUMN, GROUP_COLUMN, PARENT_COLUMN] + ([row_order] if row_order else [])
    first = exp.select(*[_column(name) for name in keep])
    for name, kind in plan.facts.items():
        first = first.select(exp.alias_(builder.cast(_column(name), kind), _identifier(name), quoted=True))
        builder.columns[name] = kind
    if isinstance(source, str):
        first = first.from_(exp.Table(this=_identifier(source)))
    else:
        first = first.from_(exp.Subquery(this=source, alias=exp.TableAlias(this=_identifier("事实"))))
    ctes = [("层0", first)]
    for number, layer in enumerate(_layers(plan), start=1):
        select = exp.select(exp.Star())
        for index in layer:
            binding = plan.bindings[index]
            node = binding.node
            value = builder.node(node)
            if isinstance(node, Window | Rank):  # the engine's own types (BIGINT, DECIMAL(38, s)): always cast
                value, builder.columns[binding.name] = builder.cast(value, node.type), node.type
            elif not isinstance(node, Column):
                value = builder.fitted(value, node)
                builder.columns[binding.name] = builder.computed_type(Call("as", (node,), node.type))
            select = select.select(exp.alias_(value, _identifier(binding.name), quoted=True))
        ctes.append((f"层{number}", select.from_(exp.Table(this=_identifier(ctes[-1][0])))))
    final = exp.select(*[_column(name) for name in keep[:3]])
    for output in plan.outputs:
        final = final.select(exp.alias_(_column(output.column), _identifier(output.label), quoted=True))
    final = final.from_(exp.Table(this=_identifier(ctes[-1][0])))
    if row_order:
        final = final.order_by(_column(row_order))
    for name, select in ctes:
        final = final.with_(_identifier(name), as_=select)
    return final


def to_sql(plan: Plan, dialect: str = "duckdb", source: str = "facts", pretty: bool = True) -> str:
    """The query text of ``plan`` in ``dialect``."""
    return build_query(plan, source, dialect).sql(dialect=dialect, pretty=pretty)
