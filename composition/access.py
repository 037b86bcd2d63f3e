"""Users and API keys."""

from dependency_injector import containers, providers

from application.access.administration import (
    CreateTeam,
    ReadAccess,
    SaveRole,
    ShareRecord,
    UpdateUser,
)
from application.access.api_keys import AuthenticateApiKey, IssueApiKey
from application.access.bundle import Access
from application.access.principals import ResolvePrincipal
from application.access.users import RegisterUser
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    resolve_principal = providers.Singleton(ResolvePrincipal, reader=storage.access_reader)
    bundle = providers.Singleton(
        Access,
        register_user=use_case(RegisterUser, platform, storage, resolve=resolve_principal),
        issue_api_key=use_case(IssueApiKey, platform, storage),
        authenticate=use_case(
            AuthenticateApiKey,
            platform,
            storage,
            credentials=storage.credential_reader,
            resolve=resolve_principal,
        ),
        resolve_principal=resolve_principal,
        update_user=use_case(UpdateUser, platform, storage, reader=storage.access_reader),
        create_team=use_case(CreateTeam, platform, storage),
        save_role=use_case(SaveRole, platform, storage, reader=storage.access_reader),
        share_record=use_case(ShareRecord, platform, storage, reader=storage.access_reader),
        read=providers.Singleton(ReadAccess, reader=storage.access_reader),
        users=storage.user_reader,
    )
