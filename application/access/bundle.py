"""The access module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.access.api_keys import AuthenticateApiKey, IssueApiKey
from application.access.ports import UserReader
from application.access.principals import ResolvePrincipal
from application.access.users import RegisterUser


@frozen(kw_only=True)
class Access:
    register_user: RegisterUser
    issue_api_key: IssueApiKey
    authenticate: AuthenticateApiKey
    users: UserReader
    resolve_principal: ResolvePrincipal
