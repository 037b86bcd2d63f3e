"""The GraphQL API: strawberry types over the use cases, served by Starlette."""
