"""Base for request bodies: unknown fields are refused, and the OpenAPI document says so."""

from __future__ import annotations

from typing import Any

import msgspec


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Every request body derives from this. NUL characters are refused in every string
    (PostgreSQL cannot store them, and no field of ours has a use for them)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, str) and "\x00" in value:
                raise ValueError(f"{name}: NUL characters are not allowed")
            if isinstance(value, list) and any(isinstance(v, str) and "\x00" in v for v in value):
                raise ValueError(f"{name}: NUL characters are not allowed")


def _subclasses(cls: type) -> list[type]:
    out: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def close_input_schemas(openapi: Any) -> None:
    """Mark request-body components ``additionalProperties: false`` (Litestar leaves it open)."""
    components = getattr(getattr(openapi, "components", None), "schemas", None) or {}
    names = {cls.__name__ for cls in _subclasses(Input)}
    for name, schema in components.items():
        if name in names or name.rsplit("_", 1)[-1] in names:
            schema.additional_properties = False


def given_fields(data: msgspec.Struct) -> dict[str, Any]:
    """The fields a request actually sent (``UNSET`` ones left out): what a PATCH changes."""
    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
