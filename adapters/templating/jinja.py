"""``TemplateEngine`` over Jinja2's immutable sandbox, checked by walking the parsed tree.

The sandbox stops what gets past at render time; the check at save time is what makes a
template safe to send: it admits a small, listed part of the language (output, ``if``,
comparisons, a few filters) and variable paths from the allowed set, and refuses the rest
with the line it is on. Calls, loops, assignments, imports, macros and ``autoescape``
blocks are refused outright, so no template can reach Python objects, run long, or turn
HTML escaping off.
"""

from __future__ import annotations

import traceback
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Final

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from application.campaigns.template_ports import RenderContext, TemplateProblem
from domain.campaigns.templates import CUSTOM_FIELD_PREFIX
from domain.errors import ErrorCode

_SOURCE_NAME: Final = "<template>"

FILTERS: Final = frozenset(
    {
        "capitalize",
        "default",
        "d",
        "e",
        "escape",
        "lower",
        "replace",
        "string",
        "striptags",
        "title",
        "trim",
        "truncate",
        "upper",
        "urlencode",
        "wordwrap",
    }
)
"""Filters a template may use: text in, text out, no access to objects."""

TESTS: Final = frozenset({"defined", "undefined", "none", "number", "string", "eq", "ne"})

_PLAIN: Final = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.CondExpr,
    nodes.Const,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Keyword,
)
"""Nodes with nothing to check but their children."""

_REFUSED: Final[Mapping[type[nodes.Node], str]] = {
    nodes.Call: "function and method calls are not allowed",
    nodes.For: "loops are not allowed",
    nodes.Macro: "macros are not allowed",
    nodes.CallBlock: "call blocks are not allowed",
    nodes.Assign: "{% set %} is not allowed",
    nodes.AssignBlock: "{% set %} is not allowed",
    nodes.With: "{% with %} is not allowed",
    nodes.Include: "templates cannot include other templates",
    nodes.Import: "templates cannot import other templates",
    nodes.FromImport: "templates cannot import other templates",
    nodes.Extends: "templates cannot extend other templates",
    nodes.Block: "blocks are not allowed",
    nodes.FilterBlock: "filter blocks are not allowed",
    nodes.Scope: "{% autoescape %} and scoped blocks are not allowed",
    nodes.ScopedEvalContextModifier: "{% autoescape %} is not allowed",
    nodes.EvalContextModifier: "{% autoescape %} is not allowed",
    nodes.BinExpr: "arithmetic is not allowed",
    nodes.UnaryExpr: "arithmetic is not allowed",
}


def _refusal(node: nodes.Node) -> str:
    for kind, message in _REFUSED.items():
        if isinstance(node, kind):
            return message
    return f"{type(node).__name__.lower()} expressions are not allowed"


def _line_of(node: nodes.Node) -> int | None:
    """A node's line; a block Jinja wraps in a scope of its own takes its body's."""
    if node.lineno:
        return int(node.lineno)
    lines = (inner.lineno for inner in node.find_all(nodes.Node) if inner.lineno)
    return next(lines, None)


def _used_paths(node: nodes.Node) -> Iterator[str]:
    """The variable paths a (checked) template names."""
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        parts = _path(node)
        if parts is not None:
            yield ".".join(parts)
        return
    for child in node.iter_child_nodes():
        yield from _used_paths(child)


def _path(node: nodes.Node) -> list[str] | None:
    """``customer.first_name`` (or ``customer["first_name"]``) as its parts; ``None`` when
    the chain does not start at a variable or is indexed by anything but a string."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return parts[::-1]
        else:
            return None


class _Check:
    def __init__(self, allowed: Collection[str], field: str) -> None:
        self.allowed = allowed
        self.field = field
        self.problems: list[TemplateProblem] = []

    def problem(self, node: nodes.Node, code: ErrorCode, message: str) -> None:
        found = TemplateProblem(self.field, _line_of(node), message, code)
        if found not in self.problems:
            self.problems.append(found)

    def walk(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            self.variable(node)
            return
        if isinstance(node, nodes.Filter):
            if node.node is None or node.dyn_args is not None or node.dyn_kwargs is not None:
                self.problem(node, ErrorCode.UNSAFE_TEMPLATE, "filter blocks are not allowed")
                return
            if node.name not in FILTERS:
                self.problem(
                    node, ErrorCode.UNSAFE_TEMPLATE, f"the filter '{node.name}' is not allowed"
                )
        elif isinstance(node, nodes.Test):
            if node.name not in TESTS or node.dyn_args is not None or node.dyn_kwargs is not None:
                self.problem(
                    node, ErrorCode.UNSAFE_TEMPLATE, f"the test '{node.name}' is not allowed"
                )
        elif not isinstance(node, _PLAIN):
            self.problem(node, ErrorCode.UNSAFE_TEMPLATE, _refusal(node))
            return
        for child in node.iter_child_nodes():
            self.walk(child)

    def variable(self, node: nodes.Node) -> None:
        parts = _path(node)
        if parts is None:
            self.problem(
                node,
                ErrorCode.UNSAFE_TEMPLATE,
                "only variables have attributes, and only names index them",
            )
            return
        if any(part.startswith("_") for part in parts):
            self.problem(node, ErrorCode.UNSAFE_TEMPLATE, "private attributes are not allowed")
            return
        path = ".".join(parts)
        if path in self.allowed:
            return
        if path.startswith(CUSTOM_FIELD_PREFIX) and path.count(".") == 2:
            key = path.removeprefix(CUSTOM_FIELD_PREFIX)
            message = f"no custom field of customers has the key '{key}'"
        else:
            message = f"'{path}' is not a variable templates may use"
        self.problem(node, ErrorCode.UNKNOWN_VARIABLE, message)


class _Values:
    """A variable's attributes for the sandbox: a missing one is an empty string, and
    nothing but the values given is reachable."""

    __slots__ = ("_children",)

    def __init__(self, children: dict[str, Any]) -> None:
        self._children = children

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._children.get(name, "")

    def __getitem__(self, name: str) -> Any:
        return self._children.get(name, "")

    def __str__(self) -> str:
        return ""


def _namespaces(context: RenderContext) -> dict[str, Any]:
    """``{"customer.first_name": "Ann"}`` as ``customer`` with ``first_name``."""
    tree: dict[str, Any] = {}
    for path, value in context.items():
        *parents, leaf = path.split(".")
        level = tree
        for part in parents:
            child = level.setdefault(part, {})
            if not isinstance(child, dict):
                child = level[part] = {}
            level = child
        level[leaf] = value

    def built(level: dict[str, Any]) -> dict[str, Any]:
        return {
            key: _Values(built(value)) if isinstance(value, dict) else value
            for key, value in level.items()
        }

    return built(tree)


class JinjaTemplate:
    def __init__(self, template: Any, paths: Collection[str]) -> None:
        self._template = template
        # Every variable the template names gets a value, empty when the context has
        # none: a customer without a company renders, and nothing is ever undefined.
        self._blanks = dict.fromkeys(paths, "")

    def render(self, context: RenderContext) -> str:
        return str(self._template.render(_namespaces({**self._blanks, **context})))


def _failure_line(error: BaseException) -> int | None:
    """The template line a render failed on, from the traceback Jinja rewrites."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename == _SOURCE_NAME
    ]
    return lines[-1] if lines else None


class JinjaTemplateEngine:
    """Templates in Jinja2's syntax: ``{{ customer.first_name }}``, ``{% if %}``, filters."""

    def __init__(self) -> None:
        self._environments = {
            html: ImmutableSandboxedEnvironment(
                autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True
            )
            for html in (False, True)
        }

    def check(
        self, source: str, allowed: Collection[str], *, field: str, html: bool
    ) -> list[TemplateProblem]:
        environment = self._environments[html]
        try:
            tree = environment.parse(source, filename=_SOURCE_NAME)
        except TemplateSyntaxError as error:
            return [
                TemplateProblem(field, error.lineno, error.message or "", ErrorCode.TEMPLATE_SYNTAX)
            ]
        except RecursionError:
            return [TemplateProblem(field, None, "nested too deeply", ErrorCode.TEMPLATE_SYNTAX)]
        check = _Check(allowed, field)
        check.walk(tree)
        if check.problems:
            return check.problems
        return self._trial(source, allowed, field=field, html=html)

    def _trial(
        self, source: str, allowed: Collection[str], *, field: str, html: bool
    ) -> list[TemplateProblem]:
        """Render once with every value empty and once with every value set: a filter
        given arguments it cannot take fails here, at save time, not at send time."""
        try:
            compiled = self.compile(source, html=html)
            for sample in ("", "Sample"):
                compiled.render(dict.fromkeys(allowed, sample))
        except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
            return [
                TemplateProblem(
                    field,
                    _failure_line(error),
                    f"does not render: {error}",
                    ErrorCode.TEMPLATE_SYNTAX,
                )
            ]
        return []

    def compile(self, source: str, *, html: bool) -> JinjaTemplate:
        environment = self._environments[html]
        paths = set(_used_paths(environment.parse(source)))
        return JinjaTemplate(environment.from_string(source), paths)
