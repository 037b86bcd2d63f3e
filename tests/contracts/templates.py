"""The templates' storage contract: what memory, SQLite and PostgreSQL all hold to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from attrs import frozen
from dependency_injector import providers

from application.campaigns.template_ports import TemplateReader, TemplatesUnitOfWorkFactory
from application.campaigns.templates import ReadTemplates
from application.errors import AlreadyTaken, StaleVersion
from application.pagination import PageRequest
from application.principal import Principal
from composition import templates
from composition.storage import MemoryStorage
from domain.campaigns.channels import Channel
from domain.campaigns.templates import Template, TemplateContent
from tests.contracts.backend import StorageBackend

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@frozen
class TemplateStorage:
    uow: TemplatesUnitOfWorkFactory
    reader: TemplateReader
    concurrent_writers: bool


@pytest.fixture
def template_storage(request: pytest.FixtureRequest, backend: StorageBackend) -> TemplateStorage:
    """The templates' ports on the storage adapter ``backend`` is."""
    publisher = providers.Object(backend.bus)
    ports: templates.SqlPorts | templates.MemoryPorts
    if backend.name == "memory":
        storage = MemoryStorage(publisher=publisher)
        ports = templates.MemoryPorts(store=storage.store, publisher=publisher)
    else:
        database = request.getfixturevalue(f"{backend.name}_database")
        ports = templates.SqlPorts(database=providers.Object(database), publisher=publisher)
    return TemplateStorage(
        uow=ports.unit_of_work,
        reader=ports.template_reader(),
        concurrent_writers=backend.concurrent_writers,
    )


def _template(
    template_id: str, name: str, text: str = "Hello {{ customer.first_name }}"
) -> Template:
    return Template.create(
        id=template_id,
        name=name,
        channel=Channel.EMAIL,
        content=TemplateContent.of(Channel.EMAIL, subject="Hi", html="<p>x</p>", text=text),
        at=AT,
    )


def _add(storage: TemplateStorage, *added: Template) -> None:
    with storage.uow() as uow:
        for template in added:
            uow.templates.add(template)
        uow.commit()


def _revise(storage: TemplateStorage, template_id: str, text: str, name: str | None = None) -> None:
    with storage.uow() as uow:
        template = uow.templates.get(template_id)
        assert template is not None
        content = TemplateContent.of(Channel.EMAIL, subject="Hi", html="", text=text)
        template.revise(name=name, content=content, at=AT + timedelta(hours=1))
        uow.commit()


class TemplateStorageContract:
    def test_an_added_template_reads_back_whole(self, template_storage: TemplateStorage) -> None:
        _add(template_storage, _template("t-1", "Welcome"))
        view = template_storage.reader.get("t-1")
        assert view is not None
        assert (view.name, view.channel, view.subject, view.html, view.version) == (
            "Welcome",
            Channel.EMAIL,
            "Hi",
            "<p>x</p>",
            1,
        )
        assert view.created_at == AT and view.archived_at is None
        assert template_storage.reader.get("t-2") is None

    def test_rolls_back_uncommitted_work_by_default(
        self, template_storage: TemplateStorage
    ) -> None:
        with template_storage.uow() as uow:
            uow.templates.add(_template("t-1", "Welcome"))
        assert template_storage.reader.get("t-1") is None

    def test_every_version_is_kept(self, template_storage: TemplateStorage) -> None:
        _add(template_storage, _template("t-1", "Welcome", text="first"))
        _revise(template_storage, "t-1", "second", name="Welcome back")
        first = template_storage.reader.version("t-1", 1)
        second = template_storage.reader.version("t-1", 2)
        assert first is not None and second is not None
        assert (first.content.text, second.content.text) == ("first", "second")
        assert second.channel is Channel.EMAIL
        assert template_storage.reader.version("t-1", 3) is None
        view = template_storage.reader.get("t-1")
        assert view is not None and (view.name, view.version) == ("Welcome back", 2)

    def test_names_are_unique_whatever_their_case(self, template_storage: TemplateStorage) -> None:
        _add(template_storage, _template("t-1", "Welcome"))
        with template_storage.uow() as uow:
            assert uow.templates.by_name("WELCOME") is not None
            assert uow.templates.by_name("Goodbye") is None
        with pytest.raises(AlreadyTaken) as taken, template_storage.uow() as uow:
            uow.templates.add(_template("t-2", "welcome"))
            uow.commit()
        assert taken.value.problems[0].field == "name"
        assert template_storage.reader.get("t-2") is None

    def test_a_rename_onto_another_name_is_taken(self, template_storage: TemplateStorage) -> None:
        _add(template_storage, _template("t-1", "Welcome"), _template("t-2", "Goodbye"))
        with pytest.raises(AlreadyTaken):
            _revise(template_storage, "t-2", "x", name="welcome")
        view = template_storage.reader.get("t-2")
        assert view is not None and view.name == "Goodbye"

    def test_a_stale_change_is_refused(self, template_storage: TemplateStorage) -> None:
        if not template_storage.concurrent_writers:
            pytest.skip("this storage serialises writers, so two writes cannot interleave")
        _add(template_storage, _template("t-1", "Welcome"))
        content = TemplateContent.of(Channel.EMAIL, subject="Hi", html="", text="late")
        with template_storage.uow() as late:
            stale = late.templates.get("t-1")
            assert stale is not None
            _revise(template_storage, "t-1", "first in")
            stale.revise(name=None, content=content, at=AT)
            with pytest.raises(StaleVersion):
                late.commit()
        view = template_storage.reader.get("t-1")
        assert view is not None and (view.text, view.version) == ("first in", 2)

    def test_lists_page_by_name_and_leave_archived_out(
        self, template_storage: TemplateStorage
    ) -> None:
        names = ["delta", "Alpha", "charlie", "Bravo", "echo"]
        _add(template_storage, *(_template(f"t-{n}", name) for n, name in enumerate(names)))
        with template_storage.uow() as uow:
            archived = uow.templates.get("t-2")
            assert archived is not None
            archived.archive(AT)
            uow.commit()
        read = ReadTemplates(template_storage.reader)
        actor = Principal.system()
        first = read.list(actor, PageRequest(first=2))
        assert [edge.node.name for edge in first.edges] == ["Alpha", "Bravo"]
        assert first.has_next_page
        rest = read.list(actor, PageRequest(first=5, after=first.end_cursor))
        assert [edge.node.name for edge in rest.edges] == ["delta", "echo"]
        assert not rest.has_next_page
        back = read.list(actor, PageRequest(last=1, before=rest.start_cursor))
        assert [edge.node.name for edge in back.edges] == ["Bravo"]
        every = read.list(actor, PageRequest(first=10), include_archived=True)
        assert [edge.node.name for edge in every.edges] == [
            "Alpha",
            "Bravo",
            "charlie",
            "delta",
            "echo",
        ]
        assert read.count(actor) == 4 and read.count(actor, include_archived=True) == 5
