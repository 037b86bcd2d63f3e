"""Companies: the accounts customers belong to."""

from dependency_injector import containers, providers

from application.companies.bundle import Companies
from application.companies.commands import ArchiveCompany, CreateCompany, UpdateCompany
from application.companies.queries import GetCompanies, ListCompanies
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    bundle = providers.Singleton(
        Companies,
        create=use_case(CreateCompany, platform, storage),
        update=use_case(UpdateCompany, platform, storage),
        archive=use_case(ArchiveCompany, platform, storage),
        get=use_case(GetCompanies, platform, storage, reader=storage.company_reader),
        list=use_case(
            ListCompanies,
            platform,
            storage,
            reader=storage.company_reader,
            definitions=storage.custom_field_reader,
        ),
    )
