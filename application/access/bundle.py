"""The access module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.access.administration import (
    CreateTeam,
    ReadAccess,
    SaveRole,
    ShareRecord,
    UpdateUser,
)
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
    update_user: UpdateUser
    create_team: CreateTeam
    save_role: SaveRole
    share_record: ShareRecord
    read: ReadAccess
