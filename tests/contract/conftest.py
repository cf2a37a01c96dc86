"""python.org's downloads test fixture (apps/downloads/tests/base.py, inventory 4.2), built
through our services, plus staff/non-staff credentials for both legacy schemes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from pydotorg.core.db import transaction
from pydotorg.domains.downloads import services as downloads
from pydotorg.domains.pages import services as pages
from pydotorg.domains.users.services import create_api_key

FTP = "https://www.python.org/ftp/python/"


@dataclass
class Fixture:
    os: dict[str, int]
    releases: dict[str, int]
    files: dict[str, int]
    page: int
    staff_v1: dict[str, str]
    user_v1: dict[str, str]
    staff_v2: dict[str, str]
    user_v2: dict[str, str]


def _dt(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


@pytest.fixture
async def dl(actors: Any, sessionmaker: Any) -> Fixture:
    staff = await actors.create("staffkey", staff=True)
    user = await actors.create("userkey")
    async with transaction(sessionmaker) as s:
        _, staff_key = await create_api_key(s, staff.user_id, "k", key="s" * 40)
        _, user_key = await create_api_key(s, user.user_id, "k", key="u" * 40)
        os = {}
        for name in ("Windows", "macOS", "Linux"):
            os[name.lower()] = (await downloads.save_os(s, {"name": name})).id
        page = await pages.save_page(
            s, {"title": "Python 2.7.5", "path": "download/releases/2.7.5", "content": "x"}
        )
        specs = [
            (
                "Python 2.7.5",
                {
                    "version": 2,
                    "is_latest": True,
                    "is_published": True,
                    "release_page_id": page.id,
                    "release_date": _dt(2013, 5, 15),
                },
            ),
            ("Python 9.7.2", {"version": 3, "is_published": False, "release_date": _dt(2030, 1, 1)}),
            (
                "Python 0.0.0",
                {
                    "version": 3,
                    "is_published": True,
                    "show_on_download_page": False,
                    "release_date": _dt(2000, 1, 1),
                },
            ),
            (
                "Python 3.9.90",
                {"version": 3, "is_published": True, "pre_release": True, "release_date": _dt(2025, 10, 10)},
            ),
            (
                "Python 3.10.19",
                {"version": 3, "is_published": True, "is_latest": True, "release_date": _dt(2025, 10, 9)},
            ),
            ("Python 3.10.18", {"version": 3, "is_published": True, "release_date": _dt(2025, 6, 3)}),
            ("Python 3.8.20", {"version": 3, "is_published": True, "release_date": _dt(2024, 9, 6)}),
            ("Python 3.8.19", {"version": 3, "is_published": True, "release_date": _dt(2024, 3, 19)}),
        ]
        releases = {}
        for name, values in specs:
            releases[name] = (await downloads.save_release(s, {"name": name, **values})).id
        files = {}
        for name, os_slug, rel, url, extra in [
            (
                "Windows x86 MSI Installer (2.7.5)",
                "windows",
                "Python 2.7.5",
                "2.7.5/python-2.7.5.msi",
                {"download_button": True, "description": "for Windows x86"},
            ),
            (
                "Windows X86-64 MSI Installer (2.7.5)",
                "windows",
                "Python 2.7.5",
                "2.7.5/python-2.7.5.amd64.msi",
                {"description": "for Windows AMD64"},
            ),
            (
                "Mac OS X 64-bit/32-bit installer",
                "macos",
                "Python 2.7.5",
                "2.7.5/python-2.7.5-macosx10.6.dmg",
                {"description": "for Mac OS X 10.6 and later"},
            ),
            (
                "XZ compressed source tarball",
                "linux",
                "Python 2.7.5",
                "2.7.5/Python-2.7.5.tar.xz",
                {"filesize": 12345678, "is_source": True},
            ),
            ("Source tarball (9.7.2)", "linux", "Python 9.7.2", "9.7.2/Python-9.7.2.tgz", {}),
        ]:
            rfile = await downloads.save_release_file(
                s,
                {
                    "name": name,
                    "os_id": os[os_slug],
                    "release_id": releases[rel],
                    "url": FTP + url,
                    "md5_sum": "e" * 32,
                    **extra,
                },
            )
            files[name] = rfile.id
    return Fixture(
        os=os,
        releases=releases,
        files=files,
        page=page.id,
        staff_v1={"Authorization": f"ApiKey staffkey:{staff_key}"},
        user_v1={"Authorization": f"ApiKey userkey:{user_key}"},
        staff_v2={"Authorization": f"Token {staff_key}"},
        user_v2={"Authorization": f"Token {user_key}"},
    )
