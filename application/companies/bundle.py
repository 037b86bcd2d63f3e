"""The companies module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.companies.commands import ArchiveCompany, CreateCompany, UpdateCompany
from application.companies.queries import GetCompanies, ListCompanies


@frozen(kw_only=True)
class Companies:
    create: CreateCompany
    update: UpdateCompany
    archive: ArchiveCompany
    get: GetCompanies
    list: ListCompanies
