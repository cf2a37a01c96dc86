"""Operating systems, releases and release files (inventory 1.8)."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK, NameSlug, utcnow
from pydotorg.core.permissions import register


class Version(IntEnum):
    PYTHON1 = 1
    PYTHON2 = 2
    PYTHON3 = 3
    INSTALL_MANAGER = 100


VERSION_LABELS = {
    1: "Python 1.x.x",
    2: "Python 2.x.x",
    3: "Python 3.x.x",
    100: "Python install manager",
}

URL_FIELDS = (
    "url",
    "gpg_signature_file",
    "sigstore_signature_file",
    "sigstore_cert_file",
    "sigstore_bundle_file",
    "sbom_spdx2_file",
)

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_OS = register("downloads.add_os", "Can add operating systems")
CHANGE_OS = register("downloads.change_os", "Can change operating systems")
DELETE_OS = register("downloads.delete_os", "Can delete operating systems")
ADD_RELEASE = register("downloads.add_release", "Can add releases")
CHANGE_RELEASE = register("downloads.change_release", "Can change releases (and see drafts)")
DELETE_RELEASE = register("downloads.delete_release", "Can delete releases")
ADD_FILE = register("downloads.add_releasefile", "Can add release files")
CHANGE_FILE = register("downloads.change_releasefile", "Can change release files")
DELETE_FILE = register("downloads.delete_releasefile", "Can delete release files")
SIDECAR_SUFFIXES = {
    "gpg_signature_file": ".asc",
    "sigstore_signature_file": ".sig",
    "sigstore_cert_file": ".crt",
    "sigstore_bundle_file": ".sigstore",
    "sbom_spdx2_file": ".spdx.json",
}


class OS(IntPK, ContentManageable, NameSlug, Base):
    __tablename__ = "downloads_os"
    __change_domain__ = "downloads"
    __change_kind__ = "os"


class Release(IntPK, ContentManageable, NameSlug, Base):
    __tablename__ = "downloads_releases"
    __change_domain__ = "downloads"
    __change_kind__ = "release"
    __table_args__ = (CheckConstraint("version IN (1, 2, 3, 100)", name="version"),)

    version: Mapped[int] = mapped_column(Integer, default=Version.PYTHON3)
    is_latest: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    pre_release: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    show_on_download_page: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    release_date: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    release_page_id: Mapped[int | None] = mapped_column(
        ForeignKey("pages.id", ondelete="SET NULL"), nullable=True
    )
    release_notes_url: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    content_markup_type: Mapped[str] = mapped_column(String(30), default="markdown")
    content_html: Mapped[str] = mapped_column(Text, default="")


_URL_CHECK = " AND ".join(
    f"({f} = '' OR {f} LIKE 'https://www.python.org/%' OR {f} LIKE 'http://www.python.org/%')"
    for f in URL_FIELDS
)


class ReleaseFile(IntPK, ContentManageable, NameSlug, Base):
    __tablename__ = "downloads_release_files"
    __change_domain__ = "downloads"
    __change_kind__ = "release_file"
    __table_args__ = (
        CheckConstraint(_URL_CHECK, name="only_python_dot_org_urls"),
        Index(
            "uq_only_one_download_per_os_per_release",
            "os_id",
            "release_id",
            unique=True,
            postgresql_where=text("download_button"),
        ),
    )

    os_id: Mapped[int] = mapped_column(ForeignKey("downloads_os.id", ondelete="CASCADE"), index=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("downloads_releases.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    is_source: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str] = mapped_column(String(200), unique=True)
    gpg_signature_file: Mapped[str] = mapped_column(String(200), default="")
    sigstore_signature_file: Mapped[str] = mapped_column(String(200), default="")
    sigstore_cert_file: Mapped[str] = mapped_column(String(200), default="")
    sigstore_bundle_file: Mapped[str] = mapped_column(String(200), default="")
    sbom_spdx2_file: Mapped[str] = mapped_column(String(200), default="")
    md5_sum: Mapped[str] = mapped_column(String(200), default="")
    sha256_sum: Mapped[str] = mapped_column(String(200), default="")
    filesize: Mapped[int] = mapped_column(BigInteger, default=0)
    download_button: Mapped[bool] = mapped_column(Boolean, default=False)


class ReleaseCycle(Base):
    """One feature series ("3.14") of the PEPs release-cycle data
    (https://peps.python.org/api/release-cycle.json), refreshed hourly by
    ``downloads.refresh_release_cycle``. A row changes only when its data does, so the change feed
    (``("downloads", "release_cycle", "3.14")``) names exactly the series whose status moved."""

    __tablename__ = "downloads_release_cycle"
    __change_domain__ = "downloads"
    __change_kind__ = "release_cycle"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    branch: Mapped[str] = mapped_column(String(100), default="")
    pep: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(40), default="")
    first_release: Mapped[str] = mapped_column(String(40), default="")
    end_of_life: Mapped[str] = mapped_column(String(40), default="")
    release_manager: Mapped[str] = mapped_column(String(200), default="")
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def id(self) -> str:
        """The change feed's identity of the row: its version."""
        return self.version
