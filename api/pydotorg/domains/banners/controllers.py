"""``/api/v3/banners/``: the notice bar. Anyone sees active banners; editors see all."""

from __future__ import annotations

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.domains.banners import schemas
from pydotorg.domains.banners import services as svc
from pydotorg.domains.banners.models import ADD_BANNER, CHANGE_BANNER, DELETE_BANNER, Banner


def banner_read(b: Banner) -> schemas.BannerRead:
    return schemas.BannerRead(
        id=b.id,
        title=b.title,
        message=b.message,
        link=b.link,
        active=b.active,
        psf_pages_only=b.psf_pages_only,
        sort_order=b.sort_order,
    )


BannersController = content_controller(
    "BannersController",
    ContentRoutes(
        path="/api/v3/banners",
        tag="banners",
        prefix="banners",
        id_name="banner_id",
        summaries={
            "list": "Banners in display order (inactive ones for editors)",
            "read": "One banner",
            "create": "Add a banner",
            "update": "Change a banner",
            "delete": "Delete a banner",
        },
        add=ADD_BANNER,
        change=CHANGE_BANNER,
        remove=DELETE_BANNER,
        read_schema=schemas.BannerRead,
        create_schema=schemas.BannerCreate,
        update_schema=schemas.BannerUpdate,
        list_schema=schemas.BannerList,
        to_read=banner_read,
        get=svc.get_banner,
        find=svc.list_banners,
        save=svc.save_banner,
        filters=[("active", bool | None)],
    ),
)
