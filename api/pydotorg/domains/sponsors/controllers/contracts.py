"""``/api/v3/sponsors/contracts/{id}/preview``, ``/document`` and ``/send``: the statement of
work as PDF or DOCX, rendered for a look without storing anything or as stored when the contract
was sent, and sending a draft contract (its documents generated and stored, the contract awaiting
signature, the PSF mailed the PDF once the transaction commits: services/notifications.py).
Rules are in services/contracts.py; the contract's other transitions are in controllers/staff.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import permission_required, require_principal
from pydotorg.core.storage import Storage
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.controllers.staff import contract_read
from pydotorg.domains.sponsors.models import CHANGE_CONTRACT
from pydotorg.domains.sponsors.schemas import contracts as schemas
from pydotorg.domains.sponsors.services import contracts as svc
from pydotorg.domains.sponsors.services.notifications import notify_contract_sent
from pydotorg.domains.sponsors.services.transitions import get_contract

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


@dataclass
class DocumentOperation(Operation):
    """The preview's 200 is a PDF or a DOCX: the OpenAPI document names both, as binary."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok.content = {media: OpenAPIMediaType(schema=binary) for media in svc.FORMATS.values()}


def document_response(document: svc.Document, fmt: str) -> Response[bytes]:
    """A PDF shows in the browser, a DOCX downloads (python.org's preview); never cached."""
    return Response(
        document.content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": svc.content_disposition(document.filename, inline=fmt == "pdf"),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


class SponsorsContractsController(Controller):
    path = "/api/v3/sponsors/contracts"
    tags = ["sponsors"]

    @get(
        "/{contract_id:int}/preview",
        operation_id="sponsors_contracts_preview",
        summary="Staff: the contract's statement of work as it would be sent now (PDF inline, "
        "DOCX as a download); nothing is stored",
        guards=[permission_required(CHANGE_CONTRACT)],
        media_type=svc.PDF_CONTENT_TYPE,
        operation_class=DocumentOperation,
    )
    async def preview(
        self, tx: NamedDependency[AsyncSession], contract_id: PK, format: schemas.DocumentFormat = "pdf"
    ) -> Response[bytes]:
        contract = await get_contract(tx, contract_id)
        return document_response(await svc.preview(tx, contract, format), format)

    @get(
        "/{contract_id:int}/document",
        operation_id="sponsors_contracts_document",
        summary="Staff: the document stored when the contract was sent (PDF inline, DOCX as a "
        "download); 404 before it was sent",
        guards=[permission_required(CHANGE_CONTRACT)],
        media_type=svc.PDF_CONTENT_TYPE,
        operation_class=DocumentOperation,
    )
    async def document(
        self,
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        contract_id: PK,
        format: schemas.DocumentFormat = "pdf",
    ) -> Response[bytes]:
        contract = await get_contract(tx, contract_id)
        return document_response(await svc.stored_document(storage, contract, format), format)

    @post(
        "/{contract_id:int}/send",
        operation_id="sponsors_contracts_send",
        summary="Send a draft contract: its PDF and DOCX are generated and stored, it awaits "
        "signature, sent_on is today; the PSF is mailed the PDF",
        guards=[permission_required(CHANGE_CONTRACT)],
        status_code=200,
    )
    async def send(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        contract_id: PK,
    ) -> schemas.ContractSent:
        contract = await get_contract(tx, contract_id, for_update=True)
        sent = await svc.send(tx, require_principal(request), storage, contract)
        if contract.sponsorship_id is not None:  # send refuses a contract without one
            await notify_contract_sent(
                tx,
                MailContext.of(request.app.state),
                contract.sponsorship_id,
                sent.pdf.content,
                sent.pdf.filename,
            )
        return schemas.ContractSent(
            contract=contract_read(sent.contract, storage),
            documents=[
                schemas.StoredDocument(
                    format=fmt, name=name, content_type=document.content_type, size=len(document.content)
                )
                for fmt, name, document in (
                    ("pdf", sent.contract.document, sent.pdf),
                    ("docx", sent.contract.document_docx, sent.docx),
                )
            ],
        )


ROUTE_HANDLERS = [SponsorsContractsController]
