"""Shapes of the contract documents' routes (services/contracts.py): the preview's format and
what sending a contract answers."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import Parameter

from pydotorg.domains.sponsors.schemas.staff import ContractRead

DocumentFormat = Annotated[
    str,
    Parameter(
        pattern="^(pdf|docx)$",
        max_length=4,
        description="pdf (python.org's default) or docx",
    ),
]


class StoredDocument(msgspec.Struct):
    """One document stored for the contract: its storage name and what it holds."""

    format: str
    name: str
    content_type: str
    size: int


class ContractSent(msgspec.Struct):
    """The contract, now awaiting signature, and the two documents stored for it."""

    contract: ContractRead
    documents: list[StoredDocument]
