"""Uploading a customer file through the API: the same import as the command line."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated, Any, cast

import strawberry
from strawberry.file_uploads import Upload

from adapters.graphql.context import Info
from adapters.graphql.errors import UserError, UserErrorCode, UserErrors
from adapters.graphql.parts import SchemaPart
from application.customers.bundle import Customers

MAX_REPORTED_ERRORS = 1000


@strawberry.input(description="A customer file to import.")
class ImportCustomersInput:
    file: Upload = strawberry.field(description="A CSV file, sent as a multipart upload.")
    auto_merge: bool = strawberry.field(
        default=False,
        description="Merge customers that a row names twice (by email and by external id).",
    )
    encoding: str | None = strawberry.field(
        default=None,
        description="How the file is encoded, such as gb18030; UTF-8 when not given. A line "
        "that is not valid in it is a rejected row (INVALID_ENCODING).",
    )


@strawberry.type(description="One problem with one row of an imported file.")
class ImportRowError:
    row: int = strawberry.field(description="The row's line number in the file, from 1.")
    column: str = strawberry.field(description="The column at fault, by its header.")
    value: str = strawberry.field(description="What the cell held.")
    message: str = strawberry.field(description="What is wrong, in English, for a person.")
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="Why the cell was refused; stable, for clients to branch on."
    )


@strawberry.type(description="The result of importCustomers: what every row came to.")
class ImportCustomersPayload:
    rows: int = strawberry.field(default=0, description="Rows read, the header not counted.")
    created: int = strawberry.field(default=0, description="Customers created.")
    updated: int = strawberry.field(default=0, description="Known customers changed.")
    unchanged: int = strawberry.field(
        default=0, description="Known customers the file left as they were."
    )
    merged: int = strawberry.field(
        default=0, description="Customers merged because a row named two (with autoMerge)."
    )
    rejected_rows: int = strawberry.field(default=0, description="Rows not imported at all.")
    error_count: int = strawberry.field(
        default=0, description="Problems found, even beyond those reported in errors."
    )
    errors: list[ImportRowError] = strawberry.field(
        default_factory=list, description=f"The first {MAX_REPORTED_ERRORS} problems, by row."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why the whole import was refused; empty otherwise."
    )


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Create or update customers from a CSV upload.", extensions=[UserErrors()]
    )
    async def import_customers(
        self,
        info: Info,
        input: Annotated[ImportCustomersInput, strawberry.argument(description="The file.")],
    ) -> ImportCustomersPayload:
        context = info.context
        upload = input.file
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.csv"
            # The Upload scalar lets only Starlette's UploadFile through, which nothing else closes.
            file = cast(Any, upload)
            try:
                path.write_bytes(await file.read())
            finally:
                await file.close()
            outcome = await asyncio.to_thread(
                context.services.use(Customers).import_file,
                path,
                actor=context.principal,
                auto_merge=input.auto_merge,
                encoding=input.encoding,
                max_problems=MAX_REPORTED_ERRORS,
            )
        return ImportCustomersPayload(
            rows=outcome.rows,
            created=outcome.created,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
            merged=outcome.merged,
            rejected_rows=outcome.rejected_rows,
            error_count=outcome.errors,
            errors=[
                ImportRowError(
                    row=problem.row,
                    column=problem.column,
                    value=problem.value,
                    message=problem.message,
                    code=UserErrorCode(problem.code),
                )
                for problem in outcome.problems
            ],
        )


PART = SchemaPart(
    mutations=(ImportMutation,),
)
