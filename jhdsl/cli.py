"""The ``jhdsl`` command: check policies and evaluate them on the facts of every unit.

Exit codes: 0 all well (warnings allowed); 1 errors in the policy or in the facts (bad units
are reported and every other unit is still scored); 2 a usage mistake (an unknown option,
a missing file, an unknown ``--unit`` or ``--set`` name); 3 an internal error of jhdsl.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from pathlib import Path

import click

from jhdsl import publish, report
from jhdsl.display import render_diagnostic
from jhdsl.engine import AUTO_THRESHOLD, ENGINES, CompiledPolicy, score_file
from jhdsl.errors import FactsError, JhdslError, ParameterError, suggestion
from jhdsl.facts import load_facts
from jhdsl.formatter import fmt_command
from jhdsl.interpreter import resolve_params
from jhdsl.ir import DIALECTS
from jhdsl.pipeline import LoadedPolicy, load_policy
from jhdsl.policytest import test_command
from jhdsl.render import render_command, template_command

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# ``jhdsl`` alone shows the help; click ≥ 8.2 raises this for it (older versions print it itself)
_NoArgs = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _ExistingFile(click.ParamType):
    """A path that must name an existing file; says so in Chinese when it does not."""

    name = "文件"

    def convert(self, value, param, ctx):
        path = Path(value)
        if not path.is_file():
            self.fail(f"找不到文件「{value}」" if not path.exists() else f"「{value}」不是文件", param, ctx)
        return str(path)


class _Group(click.Group):
    """Turns any exception that escapes a command into a short Chinese message, no traceback."""

    def main(self, *args, **kwargs):
        try:
            sys.exit(super().main(*args, standalone_mode=False, **kwargs) or EXIT_OK)
        except _NoArgs as error:
            click.echo(error.ctx.get_help() if error.ctx else error.format_message(), err=True)
            sys.exit(EXIT_USAGE)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx else "jhdsl"
            click.echo(f"用法错误：{error.format_message()}\n运行 {command} --help 查看用法。", err=True)
            sys.exit(EXIT_USAGE)
        except click.Abort:
            click.echo("已中止", err=True)
            sys.exit(EXIT_ERRORS)
        except click.ClickException as error:
            click.echo(f"错误：{error.format_message()}", err=True)
            sys.exit(error.exit_code)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except ParameterError as error:
            click.echo(f"用法错误：{error}", err=True)
            ctx.exit(EXIT_USAGE)
        except JhdslError as error:
            click.echo(f"错误：{error}", err=True)
            ctx.exit(EXIT_ERRORS)
        except Exception as error:  # a bug of jhdsl's own: say so plainly
            if os.environ.get("JHDSL_DEBUG"):
                traceback.print_exc()
            click.echo(f"jhdsl 内部错误：{type(error).__name__}: {error}\n"
                       "这是 jhdsl 的问题，不是您的输入有误；设置环境变量 JHDSL_DEBUG=1 可查看详细信息。", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jhdsl", message="jhdsl %(version)s")
def main() -> None:
    """jhdsl：考核办法的检查、评分与解释工具 (check, evaluate and explain assessment policies).

    \b
    退出码 (exit codes):
      0  正常（可以有警告）
      1  政策或事实有错误（有错误的单位已列出，其余单位照常评分）
      2  用法错误（选项、文件、单位名或参数名不对）
      3  jhdsl 内部错误
    """


def _print_diagnostics(loaded: LoadedPolicy, show_warnings: bool = True) -> None:
    for diag in loaded.diagnostics:
        if diag.is_error or show_warnings:
            click.echo(render_diagnostic(diag, loaded.lines_of(diag.span.file if diag.span else None)) + "\n",
                       err=True)


@main.command("check")
@click.argument("policies", nargs=-1, required=True, type=_ExistingFile())
@click.option("--no-warnings", "-q", is_flag=True, help="只显示错误 (errors only)")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text：给人看；json：给编辑器用，每个问题一个对象 (for editors)")
def check_command(policies: tuple[str, ...], no_warnings: bool, output_format: str) -> None:
    """检查政策文件，列出全部错误和警告 (check policy files).

    每个问题给出 文件:行:列、原文、插入符和提示。有错误时退出码为 1。
    """
    loaded_all = [load_policy(path) for path in policies]
    errors = sum(len(loaded.errors) for loaded in loaded_all)
    if output_format == "json":
        found = [d for loaded in loaded_all for d in loaded.diagnostics if d.is_error or not no_warnings]
        click.echo(json.dumps([diagnostic_json(d) for d in found], ensure_ascii=False, indent=2))
        sys.exit(EXIT_ERRORS if errors else EXIT_OK)
    for path, loaded in zip(policies, loaded_all, strict=True):
        _print_diagnostics(loaded, show_warnings=not no_warnings)
        if not loaded.diagnostics:
            click.echo(f"{path}：没有发现问题", err=True)
    warnings = sum(len(loaded.warnings) for loaded in loaded_all)
    click.echo(f"共 {errors} 个错误，{warnings} 个警告", err=True)
    sys.exit(EXIT_ERRORS if errors else EXIT_OK)


def diagnostic_json(diag) -> dict:
    """A diagnostic for an editor: where (1-based line and column, end exclusive) and what."""
    span = diag.span
    where = {"file": span.file, "line": span.line, "column": span.column, "end_line": span.end_line,
             "end_column": span.end_column} if span else {"file": None}
    return {"code": diag.code, "severity": "error" if diag.is_error else "warning", **where,
            "message": diag.message, "hint": diag.hint}


def _write_results(results, policy, output_format: str, explain: bool, output: str | None) -> None:
    """The results in the chosen format, to the -o file or to standard output."""
    if output_format == "xlsx":
        from jhdsl.workbooks import write_workbook  # openpyxl only when a workbook is written

        _save(output, lambda path: write_workbook(results, policy, path))
        return
    if output_format == "json":
        text = report.json_text(results, policy) + "\n"
    elif output_format == "csv":
        text = "\ufeff" + report.csv_text(results, policy)  # BOM: Excel reads the UTF-8 text
    elif output_format == "html":
        text = publish.results_html(results, policy)
    elif explain:
        text = "\n\n".join(report.explain(r, policy) for r in results) + "\n"
    else:
        text = report.table(results, policy) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        _save(output, lambda path: path.write_text(text, encoding="utf-8"))


def _save(output: str, write) -> None:
    try:
        write(Path(output))
    except OSError as error:
        raise JhdslError(f"无法写入 {output}：{error.strerror or error}") from None
    click.echo(f"已写入 {output}", err=True)


PROGRESS_FROM = 500
"""Batches of at least this many units show a progress bar, on a terminal only."""


@contextlib.contextmanager
def _progress_bar(units: int):
    """A progress bar on standard error when it is a terminal and the batch is long; else None."""
    if units < PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=units, label="评分中", file=sys.stderr) as bar:
        yield bar


def _parse_sets(values: tuple[str, ...], option: str = "--set") -> dict[str, str]:
    """``名称=值`` options as a dict; each name once."""
    found = {}
    for value in values:
        name, sep, text = value.replace("＝", "=").partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"{option} 应写作 名称=值，如 --set 期间=上半年（收到：{value}）")
        if name.strip() in found:
            raise ParameterError(f"{option}「{name.strip()}」给了不止一次")
        found[name.strip()] = text.strip()
    return found


def _explained_units(units: tuple[str, ...], explain: bool, output_format: str) -> set[str] | bool:
    """The units whose results carry every rule's explanation: all, in JSON, Excel and HTML
    (which show them); those shown, with --explain; else none."""
    if output_format in ("json", "xlsx", "html") or (explain and not units):
        return True
    return set(units) if explain else False


@main.command("eval")
@click.argument("policy", type=_ExistingFile())
@click.argument("facts", type=_ExistingFile())
@click.option("--unit", "units", multiple=True, metavar="名称", help="只显示这个单位（可多次给出） (only this unit)")
@click.option("--explain", is_flag=True, help="逐项说明每一分的来历 (explain every point)")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv", "xlsx", "html"]),
              default="table", show_default=True,
              help="输出格式；xlsx 为 Excel 工作簿，html 为可离线打开的通报 (output format)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, metavar="文件",
              help="写入这个文件（xlsx 必须给出） (write to this file)")
@click.option("--set", "settings", multiple=True, metavar="名称=值",
              help="设置参数，如 --set 期间=上半年 (set a parameter)")
@click.option("--facts-of", "other_facts", multiple=True, metavar="期=文件",
              help="另一期的事实文件，供「按 本办法 于 某期」使用，如 --facts-of 半年=半年.csv "
                   "(facts of another period)")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help=f"评分引擎：interp 解释器；duckdb 编译为 SQL 在 DuckDB 中运行；spark 在 Spark 中运行；"
                   f"auto 在 {AUTO_THRESHOLD} 个单位以上用 duckdb (scoring engine)")
def eval_command(policy: str, facts: str, units: tuple[str, ...], explain: bool, output_format: str,
                 output: str | None, settings: tuple[str, ...], other_facts: tuple[str, ...], engine: str) -> None:
    """按政策为事实文件中的每个单位评分 (score every unit of FACTS under POLICY).

    FACTS 是 CSV、Excel（.xlsx）、JSON 或 Parquet 文件，每个单位一行，列名为事实名称，第一列为「单位」。
    """
    if explain and output_format != "table":
        raise click.UsageError("--explain 只用于表格输出；JSON、Excel 和 HTML 已含每条规则的说明")
    if output_format == "xlsx" and output is None:
        raise click.UsageError("Excel 输出要用 -o 给出文件名，如 -o 结果.xlsx")
    loaded = load_policy(policy)
    if loaded.errors:
        _print_diagnostics(loaded)
        click.echo(f"政策有 {len(loaded.errors)} 个错误，未评分", err=True)
        sys.exit(EXIT_ERRORS)
    if loaded.warnings:
        click.echo(f"提示：政策有 {len(loaded.warnings)} 个警告，可运行 jhdsl check {policy} 查看", err=True)
    params = resolve_params(loaded.policy, _parse_sets(settings))
    periods, period_problems = {}, []
    for name, path in _parse_sets(other_facts, "--facts-of").items():
        if not Path(path).is_file():
            raise ParameterError(f"找不到「{name}」的事实文件「{path}」")
        period_table = load_facts(Path(path), loaded.policy)
        period_problems += [(path, p) for p in period_table.problems]
        periods[name] = period_table.units
    try:
        scored = score_file(loaded.policy, Path(facts), params, engine, periods,
                            explain=_explained_units(units, explain, output_format), progress_bar=_progress_bar)
    except FactsError as error:
        click.echo(f"错误：{error}", err=True)
        sys.exit(EXIT_ERRORS)
    settled = scored.settled
    facts_failed = {p.unit for p in scored.problems if p.unit is not None and not p.warning}
    problems = [(facts, p) for p in scored.problems] + period_problems
    if units:
        known = {r.unit for r in settled.results} | {name for name, _ in settled.failed}
        for name in units:
            if name not in known and name not in facts_failed:
                hint = suggestion(name, known) or ""
                raise ParameterError(f"事实文件中没有单位「{name}」。{hint}")
    for path, problem in problems:
        if problem.unit is None or not units or problem.unit in units:
            click.echo(f"{path}：{'警告' if problem.warning else '错误'}：{problem.describe()}", err=True)
    for problem in settled.problems:
        click.echo(f"{facts}：错误：{problem}", err=True)
    failed = [name for name in dict.fromkeys(p.unit for p in scored.problems if p.unit in facts_failed)
              if not units or name in units]
    for name, reason in settled.failed:
        if not units or name in units:
            click.echo(f"{facts}：错误：单位「{name}」：{reason}", err=True)
            failed.append(name)
    results = [r for r in settled.results if not units or r.unit in units]
    _write_results(results, loaded.policy, output_format, explain, output)

    engine_words = {"duckdb": "（编译引擎 DuckDB）", "spark": "（编译引擎 Spark）"}.get(scored.engine, "")
    click.echo(f"已评分 {len(results)} 个单位{engine_words}，失败 {len(failed)} 个"
               + (f"（{'、'.join(failed)}）" if failed else ""), err=True)
    file_errors = any(p.unit is None and not p.warning for _, p in problems) or settled.problems
    sys.exit(EXIT_ERRORS if failed or file_errors else EXIT_OK)


@main.command("compile")
@click.argument("policy", type=_ExistingFile())
@click.option("--target", type=click.Choice(["sql"]), default="sql", show_default=True, help="编译目标 (target)")
@click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True,
              help="SQL 方言 (SQL dialect)")
@click.option("--table", default="facts", show_default=True, metavar="表名",
              help="事实表的名称：每个单位一行，列为 单位、所属县区、上级单位 和各事实 (facts table)")
@click.option("--set", "settings", multiple=True, metavar="名称=值", help="设置参数 (set a parameter)")
def compile_command(policy: str, target: str, dialect: str, table: str, settings: tuple[str, ...]) -> None:
    """把政策编译为一条 SQL 查询并打印 (print the policy compiled to one SQL query).

    查询从事实表读出每个单位的事实，算出总分、各项得分、一票否决、等次、资格和排名；
    数都用精确的 DECIMAL 计算，除法四舍五入到 18 位小数，和解释器的结果完全一致。
    """
    loaded = load_policy(policy)
    if loaded.errors:
        _print_diagnostics(loaded)
        click.echo(f"政策有 {len(loaded.errors)} 个错误，未编译", err=True)
        sys.exit(EXIT_ERRORS)
    params = resolve_params(loaded.policy, _parse_sets(settings))
    compiled = CompiledPolicy(loaded.policy, params)
    columns = "、".join(["单位", "所属县区", "上级单位", *compiled.plan.facts])
    click.echo(f"-- {loaded.policy.name}（编译自 {policy}，{target_name(dialect)}）\n"
               f"-- 事实表「{table}」的列：{columns}\n"
               "-- 事实须先校验（jhdsl eval 读入时即校验）：整数不为负，百分比在 0 到 100 之间，声明了范围的在范围内\n"
               f"-- 结果列：{'、'.join(compiled.columns)}\n"
               + compiled.sql(dialect, table, pretty=True) + ";")


def target_name(dialect: str) -> str:
    return {"duckdb": "DuckDB", "spark": "Spark SQL", "postgres": "PostgreSQL"}[dialect]


main.add_command(test_command)
main.add_command(render_command)
main.add_command(template_command)
main.add_command(fmt_command)
