"""Companies: the organisations (accounts) that customers belong to."""

from domain.companies.address import Address
from domain.companies.company import Company, CompanyChanges, CompanySize
from domain.companies.events import CompanyArchived, CompanyCreated, CompanyUpdated

__all__ = [
    "Address",
    "Company",
    "CompanyArchived",
    "CompanyChanges",
    "CompanyCreated",
    "CompanySize",
    "CompanyUpdated",
]
