"""Users and API keys."""

from dependency_injector import containers, providers

from application.access.api_keys import AuthenticateApiKey, IssueApiKey
from application.access.bundle import Access
from application.access.users import RegisterUser
from composition.wiring import use_case


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()

    bundle = providers.Singleton(
        Access,
        register_user=use_case(RegisterUser, platform, storage),
        issue_api_key=use_case(IssueApiKey, platform, storage),
        authenticate=use_case(
            AuthenticateApiKey, platform, storage, credentials=storage.credential_reader
        ),
        users=storage.user_reader,
    )
