"""The Jinja2 engine: what a template may say is decided when it is saved, with the line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.templating.jinja import JinjaTemplateEngine
from application.campaigns.template_ports import TemplateProblem
from domain.campaigns.templates import allowed_variables
from domain.errors import ErrorCode

ENGINE = JinjaTemplateEngine()
ALLOWED = allowed_variables(["plan"])


def _check(source: str, *, html: bool = False) -> list[TemplateProblem]:
    return ENGINE.check(source, ALLOWED, field="text", html=html)


def _one(source: str) -> tuple[int | None, ErrorCode]:
    problems = _check(source)
    assert len(problems) == 1, problems
    return problems[0].line, problems[0].code


def test_a_template_over_the_allowed_variables_passes() -> None:
    source = (
        "Hi {{ customer.first_name|default('there') }},\n"
        "{% if company.name %}how is {{ company.name|upper }}?{% endif %}\n"
        "Your {{ customer.custom.plan }} plan; last order {{ last_order.total }} on "
        "{{ last_order.placed_at }}. {{ customer['email'] }} {{ unsubscribe_url }}"
    )
    assert _check(source) == []


def test_a_syntax_error_is_reported_on_its_line() -> None:
    assert _one("Hello\n\n{{ customer.first_name }\n") == (3, ErrorCode.TEMPLATE_SYNTAX)
    # A block left open is reported where it opens.
    assert _one("ok\n{% if company.name %}\nno end") == (2, ErrorCode.TEMPLATE_SYNTAX)


def test_an_unknown_variable_is_reported_on_its_line() -> None:
    assert _one("Hi\n{{ customer.age }}") == (2, ErrorCode.UNKNOWN_VARIABLE)
    assert _one("{{ password }}") == (1, ErrorCode.UNKNOWN_VARIABLE)


def test_an_undefined_custom_field_is_named() -> None:
    problems = _check("ok\nok\n{{ customer.custom.nope }}")
    assert [(p.line, p.code) for p in problems] == [(3, ErrorCode.UNKNOWN_VARIABLE)]
    assert "'nope'" in problems[0].message


def test_a_variable_must_be_a_value_not_an_object() -> None:
    assert _one("{{ customer }}") == (1, ErrorCode.UNKNOWN_VARIABLE)
    assert _one("{{ customer.custom }}") == (1, ErrorCode.UNKNOWN_VARIABLE)


def test_every_problem_is_reported_once_per_line() -> None:
    problems = _check("{{ a }} {{ a }}\n{{ b }}\n{{ a }}")
    assert [(p.line, p.message) for p in problems] == [
        (1, "'a' is not a variable templates may use"),
        (2, "'b' is not a variable templates may use"),
        (3, "'a' is not a variable templates may use"),
    ]


@pytest.mark.parametrize(
    "escape",
    [
        "{{ customer.__class__ }}",
        "{{ customer.first_name.__class__.__mro__ }}",
        "{{ customer['__class__'] }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ self._TemplateReference__context }}",
        "{{ lipsum.__globals__ }}",
        "{{ customer.first_name.upper() }}",
        "{{ range(100000000) }}",
        "{% for x in customer %}{{ x }}{% endfor %}",
        "{% set x = 1 %}",
        "{% include 'other' %}",
        "{% import 'macros' as m %}",
        "{% extends 'base' %}",
        "{% macro m() %}{% endmacro %}",
        "{% autoescape false %}{{ customer.first_name }}{% endautoescape %}",
        "{{ customer.first_name|safe }}",
        "{{ customer.first_name|attr('__class__') }}",
        "{{ customer.first_name|format(1) }}",
        "{{ 'x' * 1000000000 }}",
        "{{ customer[customer.first_name] }}",
        "{% filter upper %}x{% endfilter %}",
    ],
)
def test_sandbox_escapes_and_unsafe_constructs_are_refused(escape: str) -> None:
    problems = _check(escape)
    assert problems, escape
    assert {p.code for p in problems} <= {ErrorCode.UNSAFE_TEMPLATE, ErrorCode.UNKNOWN_VARIABLE}
    assert all(p.line == 1 for p in problems)


def test_a_filter_given_what_it_cannot_take_fails_at_save_time() -> None:
    line, code = _one("ok\n{{ customer.first_name|truncate('long') }}")
    assert (line, code) == (2, ErrorCode.TEMPLATE_SYNTAX)


def test_html_escapes_what_it_inserts_and_text_does_not() -> None:
    context = {"customer.first_name": "<script>alert(1)</script>", "company.name": "A & B"}
    html = ENGINE.compile("<p>Hi {{ customer.first_name }} of {{ company.name }}</p>", html=True)
    assert html.render(context) == ("<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; of A &amp; B</p>")
    text = ENGINE.compile("Hi {{ customer.first_name }} of {{ company.name }}", html=False)
    assert text.render(context) == "Hi <script>alert(1)</script> of A & B"


def test_missing_values_render_as_empty_text() -> None:
    compiled = ENGINE.compile(
        "[{{ customer.first_name }}|{{ customer.custom.plan|upper }}|{{ company.name }}]"
        "{% if last_order.total %}ordered{% else %}never ordered{% endif %}",
        html=False,
    )
    assert compiled.render({}) == "[||]never ordered"


@given(st.text(alphabet=st.characters(blacklist_characters="{}%#\r", blacklist_categories=["Cs"])))
def test_text_without_template_syntax_renders_as_itself(text: str) -> None:
    assert _check(text) == []
    assert ENGINE.compile(text, html=False).render({}) == text


@given(st.text(max_size=30))
def test_rendering_html_escapes_any_name(name: str) -> None:
    rendered = ENGINE.compile("{{ customer.first_name }}", html=True).render(
        {"customer.first_name": name}
    )
    assert "<" not in rendered and ">" not in rendered
