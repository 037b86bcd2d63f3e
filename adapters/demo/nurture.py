"""The 7-day nurture as demo data: its three mails and the journey, live on a segment."""

from __future__ import annotations

from attrs import frozen

from application.campaigns.templates import Templates
from application.journeys.bundle import Journeys
from application.journeys.commands import JourneyDefinition
from application.modules import Modules
from application.principal import Principal
from domain.campaigns.channels import Channel
from domain.campaigns.demo import NURTURE_NAME, seven_day_nurture


@frozen
class DemoMail:
    name: str
    subject: str
    text: str
    html: str


_FOOTER_TEXT = "\n\nNo more of these: {{ unsubscribe_url }}\n"
_FOOTER_HTML = '<p><small><a href="{{ unsubscribe_url }}">No more of these</a></small></p>'

BROCHURE = DemoMail(
    name="Nurture: product brochure",
    subject="{{ customer.first_name|default('Hello') }}, here is what we make",
    text="Hi {{ customer.first_name|default('there') }},\n\n"
    "Our brochure walks through the whole range in five minutes." + _FOOTER_TEXT,
    html="<p>Hi {{ customer.first_name|default('there') }},</p>"
    '<p>Our <a href="https://example.com/brochure">brochure</a> walks through the whole '
    "range in five minutes.</p>" + _FOOTER_HTML,
)
CASE_STUDY = DemoMail(
    name="Nurture: case study",
    subject="How a team like yours saved a day a week",
    text="Hi {{ customer.first_name|default('there') }},\n\n"
    "A short case study of a team that moved its customer work to us." + _FOOTER_TEXT,
    html="<p>Hi {{ customer.first_name|default('there') }},</p>"
    '<p>A short <a href="https://example.com/case-study">case study</a> of a team that '
    "moved its customer work to us.</p>" + _FOOTER_HTML,
)
WEBINAR = DemoMail(
    name="Nurture: webinar invitation",
    subject="Join our live webinar, {{ customer.first_name|default('friend') }}",
    text="Hi {{ customer.first_name|default('there') }},\n\n"
    "Thirty minutes, live, with time for your questions." + _FOOTER_TEXT,
    html="<p>Hi {{ customer.first_name|default('there') }},</p>"
    "<p>Thirty minutes, live, with time for your questions. "
    '<a href="https://example.com/webinar">Save your seat</a>.</p>' + _FOOTER_HTML,
)
NURTURE_SEGMENT = "Signing in"
"""The demo segment whose new members the nurture welcomes."""


def seed_nurture(modules: Modules, segment_id: str) -> str:
    """Create the nurture's templates and the journey on ``segment_id``, active; the
    journey's id."""
    system = Principal.system()
    templates = modules.use(Templates)
    brochure, case_study, webinar = (
        templates.create(
            system,
            name=mail.name,
            channel=Channel.EMAIL,
            subject=mail.subject,
            html=mail.html,
            text=mail.text,
        ).id
        for mail in (BROCHURE, CASE_STUDY, WEBINAR)
    )
    journeys = modules.use(Journeys)
    journey = journeys.create(
        system,
        JourneyDefinition(
            name=NURTURE_NAME,
            version=seven_day_nurture(
                segment_id=segment_id,
                brochure_template_id=brochure,
                case_study_template_id=case_study,
                webinar_template_id=webinar,
            ),
        ),
    )
    return journeys.activate(system, journey.id).id
