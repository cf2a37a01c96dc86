"""``/api/v3/work-groups/``: PSF working groups. Approved groups are public; editors see all."""

from __future__ import annotations

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.domains.workgroups import schemas
from pydotorg.domains.workgroups import services as svc
from pydotorg.domains.workgroups.models import ADD_GROUP, CHANGE_GROUP, DELETE_GROUP, WorkGroup


def group_read(g: WorkGroup) -> schemas.WorkGroupRead:
    return schemas.WorkGroupRead(
        id=g.id,
        name=g.name,
        slug=g.slug,
        active=g.active,
        approved=g.approved,
        short_description=g.short_description,
        markup_type=g.markup_type,
        purpose_html=g.purpose_html,
        active_time_html=g.active_time_html,
        core_values_html=g.core_values_html,
        rules_html=g.rules_html,
        communication_html=g.communication_html,
        support_html=g.support_html,
        url=g.url,
        organizer_ids=list(g.organizer_ids),
        member_ids=list(g.member_ids),
        created=g.created,
        updated=g.updated,
    )


WorkGroupsController = content_controller(
    "WorkGroupsController",
    ContentRoutes(
        path="/api/v3/work-groups",
        tag="work groups",
        prefix="workgroups",
        id_name="group_id",
        summaries={
            "list": "Work groups by name (unapproved ones for editors)",
            "read": "One work group",
            "create": "Add a work group",
            "update": "Change a work group",
            "delete": "Delete a work group",
        },
        add=ADD_GROUP,
        change=CHANGE_GROUP,
        remove=DELETE_GROUP,
        read_schema=schemas.WorkGroupRead,
        create_schema=schemas.WorkGroupCreate,
        update_schema=schemas.WorkGroupUpdate,
        list_schema=schemas.WorkGroupList,
        to_read=group_read,
        get=svc.get_group,
        find=svc.list_groups,
        save=svc.save_group,
        filters=[("active", bool | None)],
    ),
)
