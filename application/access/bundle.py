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
from application.access.api_keys import IssueApiKey, ListApiKeys, RevokeApiKey
from application.access.authentication import AuthenticateBearer
from application.access.ports import UserReader
from application.access.principals import ResolvePrincipal
from application.access.users import RegisterUser


@frozen(kw_only=True)
class Access:
    register_user: RegisterUser
    issue_api_key: IssueApiKey
    revoke_api_key: RevokeApiKey
    api_keys: ListApiKeys
    authenticate: AuthenticateBearer
    """API keys and, when configured, an identity provider's tokens."""
    users: UserReader
    resolve_principal: ResolvePrincipal
    update_user: UpdateUser
    create_team: CreateTeam
    save_role: SaveRole
    share_record: ShareRecord
    read: ReadAccess
