"""The one small function that runs the stages: text → tree → checked tree."""

from __future__ import annotations

from pathlib import Path

import attrs

from jhdsl import ast
from jhdsl.checker import CASCADE_CODES, check
from jhdsl.errors import ERROR, Diagnostic
from jhdsl.parser import SYNTAX_CODES, parse


@attrs.frozen
class LoadedPolicy:
    """A policy as read and checked: the tree, every diagnostic, and the source lines (of
    the policy and of any policy file it takes a score from)."""

    policy: ast.Policy
    diagnostics: tuple[Diagnostic, ...]
    source: str
    other_sources: dict[str, str] = attrs.field(factory=dict)

    def lines_of(self, file: str | None) -> list[str]:
        """The lines of the file a diagnostic points into."""
        if file in self.other_sources:
            return self.other_sources[file].split("\n")
        return self.lines

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def lines(self) -> list[str]:
        return self.source.split("\n")


def check_text(text: str, file: str) -> LoadedPolicy:
    """Parse and check a policy's text. Checks that would only echo a syntax error are dropped."""
    parsed = parse(text, file)
    found = check(parsed.policy)
    if any(d.code in SYNTAX_CODES for d in parsed.diagnostics):
        found = [d for d in found if d.code not in CASCADE_CODES]
    diagnostics = sorted(dict.fromkeys([*parsed.diagnostics, *found]), key=Diagnostic.sort_key)
    return LoadedPolicy(parsed.policy, tuple(diagnostics), text.lstrip("\ufeff").replace("\r\n", "\n"))


def read_policy_text(path: Path) -> str | Diagnostic:
    """A policy file's text, or the E001 diagnostic that says why it cannot be read."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = "不是 UTF-8 编码" if isinstance(error, UnicodeDecodeError) else "无法读取"
        return Diagnostic("E001", ERROR, f"政策文件 {path} {reason}", ast.Span(str(path), 1, 1, 1, 1),
                          "请以 UTF-8 编码保存 .jhp 文件" if reason != "无法读取" else None)


def load_policy(path: str | Path, loading: frozenset[Path] = frozenset()) -> LoadedPolicy:
    """Read a policy file and check it, with every policy file it takes a score from (组成
    … 按 政策文件 「…」). An unreadable file is reported as a diagnostic too."""
    path = Path(path)
    text = read_policy_text(path)
    if isinstance(text, Diagnostic):
        return LoadedPolicy(ast.Policy(None), (text,), "")
    return _link(check_text(text, str(path)), path, loading | {path.resolve()})


def _link(loaded: LoadedPolicy, path: Path, loading: frozenset[Path]) -> LoadedPolicy:
    """Load the policy files a 组成 takes scores from, and add their facts to this policy's."""
    combination = loaded.policy.combination
    if combination is None or not any(c.source_file for c in combination.components):
        return loaded
    diagnostics = list(loaded.diagnostics)
    sources = dict(loaded.other_sources)
    facts = {f.name: f for f in loaded.policy.facts}
    components = []
    for component in combination.components:
        if component.source_file is None:
            components.append(component)
            continue
        target = path.parent / component.source_file
        if target.resolve() in loading:
            diagnostics.append(Diagnostic("E202", ERROR, f"政策文件「{component.source_file}」又引用了本文件", component.span,
                                          "组成部分不能互相引用"))
            continue
        if not target.is_file():
            diagnostics.append(Diagnostic("E001", ERROR, f"找不到政策文件「{component.source_file}」", component.span,
                                          f"路径相对于 {path.parent or '.'}"))
            continue
        other = load_policy(target, loading)
        diagnostics.extend(other.diagnostics)
        sources.update(other.other_sources, **{str(target): other.source})
        for fact in other.policy.facts:
            if fact.name in facts and facts[fact.name].type != fact.type:
                diagnostics.append(Diagnostic("E301", ERROR, f"事实「{fact.name}」在两份政策中的类型不同："
                                              f"{facts[fact.name].type} 和 {fact.type}", component.span))
            facts.setdefault(fact.name, fact)
        components.append(attrs.evolve(component, policy=other.policy))
    policy = attrs.evolve(loaded.policy, facts=tuple(facts.values()),
                          combination=attrs.evolve(combination, components=tuple(components)))
    ordered = tuple(sorted(dict.fromkeys(diagnostics), key=Diagnostic.sort_key))
    return LoadedPolicy(policy, ordered, loaded.source, sources)
