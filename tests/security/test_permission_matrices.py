"""The permission matrix of every v3 write operation, named in one table (``WRITE_MATRICES``;
test_write_coverage.py fails when the app has a write operation the table does not name), and the
matrices the domain test files did not have: navigation trees, job types, release edits, single
release-file deletes, page attachments, company logos and community uploads, plus the stored
files of a deleted page or company.

Every matrix here calls as: anonymous, an ordinary user, the record's creator where the table
records one (a creator holds no right over the record), staff without the permission, a user
holding a neighbouring permission, a user holding exactly the named permission, and a superuser.
Refused calls must leave tables, media files and the job queue as they were (the helper checks);
allowed calls are read back (``changed=``).
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Multipart, check_permission_matrix

# Where each write operation's matrix lives. "file::test" names a test that calls
# check_permission_matrix for that operation; the user-administration operations (/users/...,
# /auth/...) are the account helpers' matrices in tests/security/test_accounts.py (escalation)
# and tests/security/test_account_matrices.py (the caller's own account and tokens).
ACCOUNTS = "tests/security/test_accounts.py"
HERE = "tests/security/test_permission_matrices.py"
# The matrices of the sign-up, log-in, password, API-key and membership routes.
ACCOUNT_MATRICES = "tests/security/test_account_matrices.py"
WRITE_MATRICES: dict[str, str] = {
    # auth and users: the account matrices (escalation: nobody acts above their own level)
    "auth_login": f"{ACCOUNT_MATRICES}::test_login_matrix",
    "auth_logout": f"{ACCOUNT_MATRICES}::test_logout_matrix",
    "auth_password_change": f"{ACCOUNT_MATRICES}::test_password_change_matrix",
    "auth_password_reset": f"{ACCOUNT_MATRICES}::test_password_reset_matrix",
    "auth_password_reset_confirm": f"{ACCOUNT_MATRICES}::test_password_reset_confirm_matrix",
    "auth_signup": f"{ACCOUNT_MATRICES}::test_signup_matrix",
    "auth_verify_email": f"{ACCOUNT_MATRICES}::test_verify_email_matrix",
    "auth_verify_email_resend": "tests/api/test_account_pages_api.py::test_resend_matrix",
    "connections_delete": "tests/api/test_oauth.py::test_connection_delete_matrix",
    "users_me_delete": f"{ACCOUNT_MATRICES}::test_me_delete_matrix",
    "users_me_update": f"{ACCOUNT_MATRICES}::test_me_update_matrix",
    "api_keys_create": f"{ACCOUNT_MATRICES}::test_api_key_create_matrix",
    "api_keys_revoke": f"{ACCOUNT_MATRICES}::test_api_key_revoke_matrix",
    "membership_create": f"{ACCOUNT_MATRICES}::test_membership_create_matrix",
    "membership_update": f"{ACCOUNT_MATRICES}::test_membership_update_matrix",
    "membership_delete": f"{ACCOUNT_MATRICES}::test_membership_delete_matrix",
    "membership_affirm": f"{ACCOUNT_MATRICES}::test_membership_affirm_matrix",
    "users_update": "tests/api/test_permissions.py::test_admin_update_matrix",
    "users_grants": "tests/api/test_permissions.py::test_grants_and_groups",
    "groups_create": "tests/api/test_permissions.py::test_grants_and_groups",
    # banners, codesamples, boxes, navigation
    "banners_create": "tests/api/test_banners_codesamples.py::test_banner_matrix_visibility_and_order",
    "banners_update": "tests/api/test_banners_codesamples.py::test_banner_matrix_visibility_and_order",
    "banners_delete": "tests/api/test_banners_codesamples.py::test_banner_matrix_visibility_and_order",
    "codesamples_create": "tests/api/test_banners_codesamples.py::test_codesample_matrix_drafts_and_sanitizing",
    "codesamples_update": "tests/api/test_banners_codesamples.py::test_codesample_matrix_drafts_and_sanitizing",
    "codesamples_delete": "tests/api/test_banners_codesamples.py::test_codesample_matrix_drafts_and_sanitizing",
    "boxes_create": "tests/api/test_boxes_navigation.py::test_box_matrix_sanitizing_and_labels",
    "boxes_update": "tests/api/test_boxes_navigation.py::test_box_matrix_sanitizing_and_labels",
    "boxes_delete": "tests/api/test_boxes_navigation.py::test_box_matrix_sanitizing_and_labels",
    "navigation_tree_create": "tests/api/test_boxes_navigation.py::test_menu_rules_and_matrix",
    "navigation_tree_update": f"{HERE}::test_navigation_tree_update_matrix",
    "navigation_tree_delete": f"{HERE}::test_navigation_tree_delete_matrix",
    "navigation_item_create": "tests/api/test_boxes_navigation.py::test_menu_rules_and_matrix",
    "navigation_item_update": "tests/api/test_boxes_navigation.py::test_menu_rules_and_matrix",
    "navigation_item_delete": "tests/api/test_boxes_navigation.py::test_menu_rules_and_matrix",
    # blogs
    "blogs_feeds_create": "tests/api/test_blogs.py::test_feed_matrix_rules_and_python_blog_flag",
    "blogs_feeds_update": "tests/api/test_blogs.py::test_feed_matrix_rules_and_python_blog_flag",
    "blogs_feeds_delete": "tests/api/test_blogs.py::test_feed_matrix_rules_and_python_blog_flag",
    "blogs_aggregates_create": "tests/api/test_blogs.py::test_aggregates_matrix_feed_ids_and_entry_filters",
    "blogs_aggregates_update": "tests/api/test_blogs.py::test_aggregates_matrix_feed_ids_and_entry_filters",
    "blogs_aggregates_delete": "tests/api/test_blogs.py::test_aggregates_matrix_feed_ids_and_entry_filters",
    "blogs_entries_update": "tests/api/test_blogs.py::test_entries_read_edit_delete_matrix",
    "blogs_entries_delete": "tests/api/test_blogs.py::test_entries_read_edit_delete_matrix",
    "blogs_related_create": "tests/api/test_blogs.py::test_related_blogs_matrix",
    "blogs_related_update": "tests/api/test_blogs.py::test_related_blogs_matrix",
    "blogs_related_delete": "tests/api/test_blogs.py::test_related_blogs_matrix",
    # community
    "community_create": "tests/api/test_community.py::test_matrix_document_and_nested_replace",
    "community_update": "tests/api/test_community.py::test_matrix_document_and_nested_replace",
    "community_delete": "tests/api/test_community.py::test_matrix_document_and_nested_replace",
    "community_photo_upload": f"{HERE}::test_community_upload_matrices",
    "community_video_upload": f"{HERE}::test_community_upload_matrices",
    # companies
    "companies_create": "tests/api/test_successstories.py::test_companies_matrix",
    "companies_update": "tests/api/test_successstories.py::test_companies_matrix",
    "companies_delete": "tests/api/test_successstories.py::test_companies_matrix",
    "companies_logo_upload": f"{HERE}::test_company_logo_upload_matrix",
    "companies_logo_delete": f"{HERE}::test_company_logo_delete_matrix",
    # downloads
    "downloads_os_create": "tests/api/test_downloads_v3.py::test_os_write_matrix",
    "downloads_os_update": "tests/api/test_downloads_v3.py::test_os_write_matrix",
    "downloads_os_delete": "tests/api/test_downloads_v3.py::test_os_write_matrix",
    "downloads_releases_create": "tests/api/test_downloads_v3.py::test_release_lifecycle_and_rules",
    "downloads_releases_update": f"{HERE}::test_release_update_matrix",
    "downloads_releases_delete": "tests/api/test_downloads_v3.py::test_release_lifecycle_and_rules",
    "downloads_files_create": "tests/api/test_downloads_v3.py::test_release_file_rules_and_matrix",
    "downloads_files_update": "tests/api/test_downloads_v3.py::test_release_file_rules_and_matrix",
    "downloads_files_delete": f"{HERE}::test_release_file_delete_matrix",
    "downloads_files_delete_by_release": "tests/api/test_downloads_v3.py::test_release_file_rules_and_matrix",
    # events
    "events_create": "tests/api/test_events_v3.py::test_event_document_matrix_and_change_feed",
    "events_update": "tests/api/test_events_v3.py::test_event_document_matrix_and_change_feed",
    "events_delete": "tests/api/test_events_v3.py::test_event_document_matrix_and_change_feed",
    "events_calendars_create": "tests/api/test_events_v3.py::test_calendar_matrix_and_fields",
    "events_calendars_update": "tests/api/test_events_v3.py::test_calendar_matrix_and_fields",
    "events_calendars_delete": "tests/api/test_events_v3.py::test_calendar_matrix_and_fields",
    "events_categories_create": "tests/api/test_events_v3.py::test_category_and_location_matrices",
    "events_categories_update": "tests/api/test_events_v3.py::test_category_and_location_matrices",
    "events_categories_delete": "tests/api/test_events_v3.py::test_category_and_location_matrices",
    "events_locations_create": "tests/api/test_events_v3.py::test_category_and_location_matrices",
    "events_locations_update": "tests/api/test_events_v3.py::test_category_and_location_matrices",
    "events_locations_delete": "tests/api/test_events_v3.py::test_category_and_location_matrices",
    "events_submissions_create": "tests/api/test_events_submissions.py::test_suggestion_is_stored_and_mailed",
    "events_submissions_accept": "tests/api/test_moderation.py::test_accept_creates_the_event_and_mails_the_submitter",
    "events_submissions_decline": "tests/api/test_moderation.py::test_decline_keeps_the_note_and_mails_it",
    # previews, markup
    "previews_create": "tests/api/test_previews.py::test_who_may_ask_for_a_preview",
    "markup_render": "tests/api/test_markup_render.py::test_permission_matrix",
    # flags, redirects
    "flags_create": "tests/api/test_redirects_flags.py::test_flag_matrices",
    "flags_update": "tests/api/test_redirects_flags.py::test_flag_matrices",
    "flags_delete": "tests/api/test_redirects_flags.py::test_flag_matrices",
    "redirects_create": "tests/api/test_redirects_flags.py::test_redirect_matrix_reads_and_feed",
    "redirects_update": "tests/api/test_redirects_flags.py::test_redirect_matrix_reads_and_feed",
    "redirects_delete": "tests/api/test_redirects_flags.py::test_redirect_matrix_reads_and_feed",
    # jobs
    "jobs_create": "tests/api/test_jobs.py::test_draft_review_approve_with_matrices_and_mail",
    "jobs_update": "tests/api/test_jobs.py::test_draft_review_approve_with_matrices_and_mail",
    "jobs_submit": "tests/api/test_jobs.py::test_draft_review_approve_with_matrices_and_mail",
    "jobs_approve": "tests/api/test_jobs.py::test_draft_review_approve_with_matrices_and_mail",
    "jobs_reject": "tests/api/test_jobs.py::test_reject_resubmit_and_review_comments",
    "jobs_comment": "tests/api/test_jobs.py::test_reject_resubmit_and_review_comments",
    "jobs_archive": "tests/api/test_jobs.py::test_moderation_moves_feature_withdraw_and_queues",
    "jobs_remove": "tests/api/test_jobs.py::test_moderation_moves_feature_withdraw_and_queues",
    "jobs_feature": "tests/api/test_jobs.py::test_moderation_moves_feature_withdraw_and_queues",
    "jobs_withdraw": "tests/api/test_jobs.py::test_moderation_moves_feature_withdraw_and_queues",
    "jobs_categories_create": "tests/api/test_jobs.py::test_taxonomy_writes_need_the_permission",
    "jobs_categories_update": "tests/api/test_jobs.py::test_taxonomy_writes_need_the_permission",
    "jobs_types_create": f"{HERE}::test_job_types_matrix",
    "jobs_types_update": f"{HERE}::test_job_types_matrix",
    # minutes, pages
    "minutes_create": "tests/api/test_minutes.py::test_minutes_matrix_drafts_and_dates",
    "minutes_update": "tests/api/test_minutes.py::test_minutes_matrix_drafts_and_dates",
    "minutes_delete": "tests/api/test_minutes.py::test_minutes_matrix_drafts_and_dates",
    "pages_create": "tests/api/test_pages_v3.py::test_page_matrix_and_sanitizing",
    "pages_update": "tests/api/test_pages_v3.py::test_page_matrix_and_sanitizing",
    "pages_delete": f"{HERE}::test_page_delete_matrix_removes_stored_files",
    "pages_attach": f"{HERE}::test_page_attach_matrix",
    "pages_detach": f"{HERE}::test_page_detach_matrix",
    # nominations
    "nominations_kinds_create": "tests/api/test_nominations.py::test_kind_matrix_slugs_colours_and_forms",
    "nominations_kinds_update": "tests/api/test_nominations.py::test_kind_matrix_slugs_colours_and_forms",
    "nominations_kinds_delete": "tests/api/test_nominations.py::test_kind_matrix_slugs_colours_and_forms",
    "nominations_elections_create": "tests/api/test_nominations.py::test_election_matrix_statuses_and_slugs",
    "nominations_elections_update": "tests/api/test_nominations.py::test_election_matrix_statuses_and_slugs",
    "nominations_elections_delete": "tests/api/test_nominations.py::test_election_matrix_statuses_and_slugs",
    "nominations_create": "tests/api/test_nominations.py::test_create_matrix_and_third_party_nominations",
    "nominations_update": "tests/api/test_nominations.py::test_edit_accept_review_matrices",
    "nominations_accept": "tests/api/test_nominations.py::test_edit_accept_review_matrices",
    "nominations_review": "tests/api/test_nominations.py::test_edit_accept_review_matrices",
    "nominations_nominees_review": "tests/api/test_nominations.py::test_edit_accept_review_matrices",
    "nominations_statement_preview": "tests/api/test_nominations.py::test_statement_preview_matches_the_stored_rendering",
    # sponsors: the configuration of each year (spconfig; logo_dimension's superuser-only matrix is in
    # the packages test)
    "sponsors_programs_create": "tests/api/test_sponsors_configuration.py::test_program_matrix_order_and_audit",
    "sponsors_programs_update": "tests/api/test_sponsors_configuration.py::test_program_matrix_order_and_audit",
    "sponsors_programs_delete": "tests/api/test_sponsors_configuration.py::test_program_matrix_order_and_audit",
    "sponsors_legal_clauses_create": "tests/api/test_sponsors_configuration.py::test_legal_clause_matrix_and_private_reads",
    "sponsors_legal_clauses_update": "tests/api/test_sponsors_configuration.py::test_legal_clause_matrix_and_private_reads",
    "sponsors_legal_clauses_delete": "tests/api/test_sponsors_configuration.py::test_legal_clause_matrix_and_private_reads",
    "sponsors_packages_create": "tests/api/test_sponsors_configuration.py::test_package_matrix_slug_year_and_logo_dimension",
    "sponsors_packages_update": "tests/api/test_sponsors_configuration.py::test_package_matrix_slug_year_and_logo_dimension",
    "sponsors_packages_delete": "tests/api/test_sponsors_configuration.py::test_package_matrix_slug_year_and_logo_dimension",
    "sponsors_benefits_create": "tests/api/test_sponsors_configuration.py::test_benefit_matrix_links_conflicts_and_visibility",
    "sponsors_benefits_update": "tests/api/test_sponsors_configuration.py::test_benefit_matrix_links_conflicts_and_visibility",
    "sponsors_benefits_delete": "tests/api/test_sponsors_configuration.py::test_benefit_matrix_links_conflicts_and_visibility",
    "sponsors_feature_configurations_create": "tests/api/test_sponsors_configuration.py::test_feature_configuration_matrix_and_kinds",
    "sponsors_feature_configurations_update": "tests/api/test_sponsors_configuration.py::test_feature_configuration_matrix_and_kinds",
    "sponsors_feature_configurations_delete": "tests/api/test_sponsors_configuration.py::test_feature_configuration_matrix_and_kinds",
    "sponsors_current_year_update": "tests/api/test_sponsors_configuration.py::test_current_year_matrix",
    "sponsors_years_clone": "tests/api/test_sponsors_configuration.py::test_clone_year_matrix_copies_and_rules",
    # sponsors: applying and the sponsor dashboard (spapply)
    "sponsors_applications_validate": "tests/api/test_sponsors_applications.py::test_validate_matrix",
    "sponsors_applications_create": "tests/api/test_sponsors_applications.py::test_application_matrix",
    "sponsors_assets_provide": "tests/api/test_sponsors_applications.py::test_asset_provide_matrix",
    "sponsors_assets_upload": "tests/api/test_sponsors_applications.py::test_asset_upload_matrix",
    "sponsors_sponsors_update": "tests/api/test_sponsors_applications.py::test_sponsor_update_matrix",
    "sponsors_sponsors_logo_upload": "tests/api/test_sponsors_applications.py::test_sponsor_logo_upload_matrix",
    # sponsors: the sponsorship and contract state machines, staff operations (spstaff)
    "sponsors_sponsorships_approve": "tests/api/test_sponsors_staff.py::test_sponsorship_write_matrices",
    "sponsors_sponsorships_approve_existing": "tests/api/test_sponsors_staff.py::test_sponsorship_write_matrices",
    "sponsors_sponsorships_reject": "tests/api/test_sponsors_staff.py::test_sponsorship_write_matrices",
    "sponsors_sponsorships_enable_edit": "tests/api/test_sponsors_staff.py::test_sponsorship_write_matrices",
    "sponsors_sponsorships_lock": "tests/api/test_sponsors_staff.py::test_sponsorship_write_matrices",
    "sponsors_sponsorships_unlock": "tests/api/test_sponsors_staff.py::test_sponsorship_write_matrices",
    "sponsors_sponsorships_update": "tests/api/test_sponsors_staff.py::test_sponsorship_update_matrix",
    "sponsors_contracts_update": "tests/api/test_sponsors_staff.py::test_contract_write_matrices",
    "sponsors_contracts_execute": "tests/api/test_sponsors_staff.py::test_contract_write_matrices",
    "sponsors_contracts_nullify": "tests/api/test_sponsors_staff.py::test_contract_write_matrices",
    "sponsors_contracts_redraft": "tests/api/test_sponsors_staff.py::test_contract_write_matrices",
    # sponsors: the statement of work documents, sending a contract (spdocs)
    "sponsors_contracts_send": "tests/api/test_sponsors_contracts.py::test_send_matrix",
    # sponsors: e-mail templates and staff notifications (spmail)
    "sponsors_email_templates_create": "tests/api/test_sponsors_notifications.py::test_email_template_matrices",
    "sponsors_email_templates_update": "tests/api/test_sponsors_notifications.py::test_email_template_matrices",
    "sponsors_email_templates_delete": "tests/api/test_sponsors_notifications.py::test_email_template_matrices",
    "sponsors_email_templates_preview": "tests/api/test_sponsors_notifications.py::test_email_template_matrices",
    "sponsors_email_templates_preview_draft": "tests/api/test_sponsors_notifications.py::test_email_template_matrices",
    "sponsors_notifications_preview": "tests/api/test_sponsors_notifications.py::test_notification_matrices",
    "sponsors_notifications_send": "tests/api/test_sponsors_notifications.py::test_notification_matrices",
    # sponsors: staff operations outside the state machines (spops; the export's matrix is in the same file)
    "sponsors_benefits_update_related": "tests/api/test_sponsors_ops.py::test_update_related_sponsorships_matrix",
    "sponsors_feature_configurations_shared_file": "tests/api/test_sponsors_ops.py::test_shared_file_matrix",
    # success stories, work groups
    "successstories_create": "tests/api/test_successstories.py::test_stories_matrix_drafts_company_and_filters",
    "successstories_update": "tests/api/test_successstories.py::test_stories_matrix_drafts_company_and_filters",
    "successstories_delete": "tests/api/test_successstories.py::test_stories_matrix_drafts_company_and_filters",
    "successstories_categories_create": "tests/api/test_successstories.py::test_categories_matrix_and_reads",
    "successstories_categories_update": "tests/api/test_successstories.py::test_categories_matrix_and_reads",
    "successstories_categories_delete": "tests/api/test_successstories.py::test_categories_matrix_and_reads",
    "successstories_submit": "tests/api/test_successstories.py::test_submission_is_stored_and_mailed",
    "workgroups_create": "tests/api/test_workgroups.py::test_workgroup_matrix_and_rules",
    "workgroups_update": "tests/api/test_workgroups.py::test_workgroup_matrix_and_rules",
    "workgroups_delete": "tests/api/test_workgroups.py::test_workgroup_matrix_and_rules",
}

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
GIF = b"GIF89a" + bytes(10)
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(16)
FTP = "https://www.python.org/ftp/python/"


def png(name: str) -> Multipart:
    return Multipart(files={"file": (f"{name}.png", PNG, "image/png")}, data={"kind": "image"})


async def make_creator(actors: Any, db_conn: Any, table: str, row_id: int) -> None:
    """A user without permissions, recorded as the row's creator: creating a record gives no
    right over it."""
    creator = actors.callers.get("creator") or await actors.create("creator")
    await db_conn.execute(f"UPDATE {table} SET creator_id=$1 WHERE id=$2", creator.user_id, row_id)


# --- navigation trees ---------------------------------------------------------------------------


async def test_navigation_tree_update_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("pages.change_page",))
    await actors.create("navigator", permissions=("navigation.change_menu",))
    root = actors["root"].headers
    r = await client.post(
        "/api/v3/navigation/trees", headers=root, json={"alias": "main", "title": "Python.org"}
    )
    assert r.status_code == 201, r.text

    async def renamed(name: str, response: Any) -> None:
        assert response.json()["title"] == f"Menu of {name}"
        stored = await db_conn.fetchval("SELECT title FROM nav_trees WHERE alias='main'")
        assert stored == f"Menu of {name}", stored

    async def rename(name: str) -> tuple[str, str, Any]:
        return ("PATCH", "/api/v3/navigation/trees/main", {"title": f"Menu of {name}"})

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "navigator": 200, "root": 200},
        rename,
        changed=renamed,
    )
    # Renaming the alias moves the tree's URL; the old one is gone.
    r = await client.patch("/api/v3/navigation/trees/main", headers=root, json={"alias": "top"})
    assert r.status_code == 200 and r.json()["alias"] == "top"
    assert (await client.get("/api/v3/navigation/trees/main")).status_code == 404
    r = await client.patch("/api/v3/navigation/trees/missing", headers=root, json={"title": "X"})
    assert r.status_code == 404


async def test_navigation_tree_delete_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("pages.delete_page",))
    await actors.create("navigator", permissions=("navigation.change_menu",))
    root = actors["root"].headers
    keep = await client.post(
        "/api/v3/navigation/trees", headers=root, json={"alias": "keep", "title": "Keep"}
    )
    assert keep.status_code == 201
    r = await client.post(
        "/api/v3/navigation/items", headers=root, json={"tree": "keep", "title": "Home", "url": "/"}
    )
    assert r.status_code == 201
    tree_ids: dict[str, int] = {}

    async def fresh_tree(name: str) -> tuple[str, str, Any]:
        alias = f"menu-{name}"
        r = await client.post("/api/v3/navigation/trees", headers=root, json={"alias": alias, "title": name})
        assert r.status_code == 201, r.text
        tree_ids[name] = r.json()["id"]
        for title in ("Home", "About"):
            r = await client.post(
                "/api/v3/navigation/items", headers=root, json={"tree": alias, "title": title, "url": "/"}
            )
            assert r.status_code == 201, r.text
        return ("DELETE", f"/api/v3/navigation/trees/{alias}", None)

    async def gone(name: str, response: Any) -> None:
        tree_id = tree_ids[name]
        assert await db_conn.fetchval("SELECT count(*) FROM nav_trees WHERE id=$1", tree_id) == 0
        assert await db_conn.fetchval("SELECT count(*) FROM nav_items WHERE tree_id=$1", tree_id) == 0

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "navigator": 204, "root": 204},
        fresh_tree,
        changed=gone,
    )
    # The refused callers' trees and the untouched one are all still there, with their items.
    aliases = await db_conn.fetch("SELECT alias FROM nav_trees ORDER BY alias")
    assert [a["alias"] for a in aliases] == [
        "keep",
        "menu-anonymous",
        "menu-editor",
        "menu-ordinary",
        "menu-staffer",
    ]
    assert await db_conn.fetchval("SELECT count(*) FROM nav_items") == 1 + 4 * 2
    assert (await client.delete("/api/v3/navigation/trees/menu-root", headers=root)).status_code == 404


# --- job types ----------------------------------------------------------------------------------


async def test_job_types_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("pages.change_page",))
    await actors.create("moderator", permissions=("jobs.moderate",))

    async def create(name: str) -> tuple[str, str, Any]:
        return ("POST", "/api/v3/jobs/types", {"name": f"Type by {name}"})

    async def created(name: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT name, slug, active FROM job_types WHERE id=$1", response.json()["id"]
        )
        assert dict(row) == {"name": f"Type by {name}", "slug": f"type-by-{name}", "active": True}

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "moderator": 201, "root": 201},
        create,
        changed=created,
    )
    type_id = await db_conn.fetchval("SELECT id FROM job_types WHERE slug='type-by-moderator'")

    async def update(name: str) -> tuple[str, str, Any]:
        return (
            "PATCH",
            f"/api/v3/jobs/types/{type_id}",
            {"name": f"Renamed by {name}", "active": name == "root"},
        )

    async def updated(name: str, response: Any) -> None:
        row = await db_conn.fetchrow("SELECT name, active FROM job_types WHERE id=$1", type_id)
        assert dict(row) == {"name": f"Renamed by {name}", "active": name == "root"}

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "moderator": 200, "root": 200},
        update,
        changed=updated,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM job_types") == 2


# --- downloads ----------------------------------------------------------------------------------


async def _release(client: Any, actors: Any, name: str, **fields: Any) -> dict[str, Any]:
    r = await client.post(
        "/api/v3/downloads/releases",
        headers=actors["root"].headers,
        json={"name": name, "is_published": True, **fields},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_release_update_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("adder", permissions=("downloads.add_release", "downloads.delete_release"))
    await actors.create("changer", permissions=("downloads.change_release",))
    release = await _release(client, actors, "Python 3.14.0", content="Original notes")
    await make_creator(actors, db_conn, "downloads_releases", release["id"])

    async def edit(name: str) -> tuple[str, str, Any]:
        body = {
            "content": f"Notes by *{name}*",
            "content_markup_type": "markdown",
            "pre_release": name == "root",
        }
        return ("PATCH", f"/api/v3/downloads/releases/{release['id']}", body)

    async def edited(name: str, response: Any) -> None:
        row = await db_conn.fetchrow(
            "SELECT content, content_html, pre_release, last_modified_by_id FROM downloads_releases WHERE id=$1",
            release["id"],
        )
        assert row["content"] == f"Notes by *{name}*" and f"<em>{name}</em>" in row["content_html"]
        assert row["pre_release"] is (name == "root")
        assert row["last_modified_by_id"] == actors[name].user_id

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "adder": 403, "changer": 200, "root": 200},
        edit,
        changed=edited,
    )


async def test_release_file_delete_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create(
        "filer",
        permissions=("downloads.add_releasefile", "downloads.change_releasefile", "downloads.delete_release"),
    )
    await actors.create("deleter", permissions=("downloads.delete_releasefile",))
    await actors.create("creator")
    root = actors["root"].headers
    r = await client.post("/api/v3/downloads/os", headers=root, json={"name": "Source"})
    assert r.status_code == 201
    os_id = r.json()["id"]
    release = await _release(client, actors, "Python 3.14.0")
    file_ids: dict[str, int] = {}

    async def fresh_file(name: str) -> tuple[str, str, Any]:
        url = f"{FTP}3.14.0/Python-3.14.0-{name}.tar.xz"
        body = {"name": f"Tarball {name}", "os_id": os_id, "release_id": release["id"], "url": url}
        r = await client.post("/api/v3/downloads/files", headers=root, json=body)
        assert r.status_code == 201, r.text
        file_ids[name] = r.json()["id"]
        await make_creator(actors, db_conn, "downloads_release_files", file_ids[name])
        return ("DELETE", f"/api/v3/downloads/files/{file_ids[name]}", None)

    async def gone(name: str, response: Any) -> None:
        assert (
            await db_conn.fetchval("SELECT count(*) FROM downloads_release_files WHERE id=$1", file_ids[name])
            == 0
        )
        assert (
            await db_conn.fetchval("SELECT count(*) FROM downloads_releases WHERE id=$1", release["id"]) == 1
        )

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "filer": 403, "deleter": 204, "root": 204},
        fresh_file,
        changed=gone,
    )
    left = await db_conn.fetch("SELECT name FROM downloads_release_files ORDER BY name")
    assert [f["name"] for f in left] == [
        f"Tarball {n}" for n in ("anonymous", "creator", "filer", "ordinary", "staffer")
    ]


# --- pages: attachments and the files of a deleted page ------------------------------------------


async def _page(client: Any, actors: Any, db_conn: Any, path: str) -> int:
    r = await client.post(
        "/api/v3/pages", headers=actors["root"].headers, json={"title": path.title(), "path": path}
    )
    assert r.status_code == 201, r.text
    page_id = int(r.json()["id"])
    await make_creator(actors, db_conn, "pages", page_id)
    return page_id


async def _attach(client: Any, actors: Any, page_id: int, body: Multipart) -> dict[str, Any]:
    r = await client.post(
        f"/api/v3/pages/{page_id}/attachments",
        headers=actors["root"].headers,
        files=dict(body.files),
        data=dict(body.data),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_page_attach_matrix(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("adder", permissions=("pages.add_page", "pages.delete_page"))
    await actors.create("changer", permissions=("pages.change_page",))
    page_id = await _page(client, actors, db_conn, "about/logos")

    async def upload(name: str) -> tuple[str, str, Any]:
        if name == "root":  # a document, where the editor uploaded an image
            body = Multipart(
                files={"file": ("notes.txt", b"release notes", "text/plain")}, data={"kind": "document"}
            )
            return ("POST", f"/api/v3/pages/{page_id}/attachments", body)
        return ("POST", f"/api/v3/pages/{page_id}/attachments", png(f"logo {name}"))

    async def stored(name: str, response: Any) -> None:
        att = response.json()
        path = settings.media_dir / att["name"]
        if name == "root":
            assert att["kind"] == "document" and att["name"].startswith("files/")
            assert path.read_bytes() == b"release notes"
            row = await db_conn.fetchval("SELECT document FROM page_documents WHERE id=$1", att["id"])
        else:
            assert att["kind"] == "image" and att["name"].startswith("about/logos/logo-changer")
            assert path.read_bytes() == PNG
            row = await db_conn.fetchval("SELECT image FROM page_images WHERE id=$1", att["id"])
        assert row == att["name"] and att["url"] == "/media/" + att["name"]

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "adder": 403, "changer": 201, "root": 201},
        upload,
        changed=stored,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM page_images") == 1
    assert await db_conn.fetchval("SELECT count(*) FROM page_documents") == 1


async def test_page_detach_matrix(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("adder", permissions=("pages.add_page", "pages.delete_page"))
    await actors.create("changer", permissions=("pages.change_page",))
    page_id = await _page(client, actors, db_conn, "about/logos")
    attachments: dict[str, dict[str, Any]] = {}

    async def fresh_attachment(name: str) -> tuple[str, str, Any]:
        att = await _attach(client, actors, page_id, png(f"logo {name}"))
        attachments[name] = att
        return ("DELETE", f"/api/v3/pages/{page_id}/attachments/image/{att['id']}", None)

    async def removed(name: str, response: Any) -> None:
        att = attachments[name]
        assert await db_conn.fetchval("SELECT count(*) FROM page_images WHERE id=$1", att["id"]) == 0
        assert not (settings.media_dir / att["name"]).exists(), "the stored file was left behind"

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "adder": 403, "changer": 204, "root": 204},
        fresh_attachment,
        changed=removed,
    )
    for name in ("anonymous", "ordinary", "staffer", "creator", "adder"):
        assert (settings.media_dir / attachments[name]["name"]).read_bytes() == PNG
    assert await db_conn.fetchval("SELECT count(*) FROM page_images") == 5


async def test_page_delete_matrix_removes_stored_files(
    client: Any, actors: Any, db_conn: Any, settings: Any
) -> None:
    await actors.create("changer", permissions=("pages.add_page", "pages.change_page"))
    await actors.create("deleter", permissions=("pages.delete_page",))
    pages: dict[str, tuple[int, list[str]]] = {}

    async def fresh_page(name: str) -> tuple[str, str, Any]:
        page_id = await _page(client, actors, db_conn, f"about/{name}")
        image = await _attach(client, actors, page_id, png(f"photo {name}"))
        document = await _attach(
            client,
            actors,
            page_id,
            Multipart(files={"file": (f"{name}.txt", b"minutes", "text/plain")}, data={"kind": "document"}),
        )
        pages[name] = (page_id, [image["name"], document["name"]])
        return ("DELETE", f"/api/v3/pages/{page_id}", None)

    async def deleted(name: str, response: Any) -> None:
        page_id, names = pages[name]
        assert await db_conn.fetchval("SELECT count(*) FROM pages WHERE id=$1", page_id) == 0
        assert await db_conn.fetchval("SELECT count(*) FROM page_images WHERE page_id=$1", page_id) == 0
        assert await db_conn.fetchval("SELECT count(*) FROM page_documents WHERE page_id=$1", page_id) == 0
        left = [n for n in names if (settings.media_dir / n).exists()]
        assert not left, f"stored files left behind: {left}"

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "changer": 403, "deleter": 204, "root": 204},
        fresh_page,
        changed=deleted,
    )
    for name in ("anonymous", "ordinary", "staffer", "creator", "changer"):
        assert all((settings.media_dir / n).exists() for n in pages[name][1]), name

    # A file another page's row still names (imported data can share one) stays.
    shared_page, (shared_image, _) = pages["changer"]
    other = await _page(client, actors, db_conn, "about/other")
    await db_conn.execute("INSERT INTO page_images (page_id, image) VALUES ($1, $2)", other, shared_image)
    r = await client.delete(f"/api/v3/pages/{shared_page}", headers=actors["deleter"].headers)
    assert r.status_code == 204
    assert (settings.media_dir / shared_image).read_bytes() == PNG
    assert not (settings.media_dir / pages["changer"][1][1]).exists()


# --- companies: the logo ------------------------------------------------------------------------


async def _company(client: Any, actors: Any, name: str) -> int:
    r = await client.post("/api/v3/companies", headers=actors["root"].headers, json={"name": name})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _upload_logo(client: Any, actors: Any, company_id: int, filename: str) -> str:
    r = await client.put(
        f"/api/v3/companies/{company_id}/logo",
        headers=actors["root"].headers,
        files={"file": (filename, PNG, "image/png")},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["logo"])


async def test_company_logo_upload_matrix(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("adder", permissions=("companies.add_company", "companies.delete_company"))
    await actors.create("changer", permissions=("companies.change_company",))
    company_id = await _company(client, actors, "Acme Widgets")
    logos = [await _upload_logo(client, actors, company_id, "first.png")]

    async def upload(name: str) -> tuple[str, str, Any]:
        body = Multipart(files={"file": (f"{name}.gif", GIF, "image/gif")})
        return ("PUT", f"/api/v3/companies/{company_id}/logo", body)

    async def replaced(name: str, response: Any) -> None:
        logo = response.json()["logo"]
        assert logo.startswith(f"companies/logos/{name}") and logo.endswith(".gif")
        assert await db_conn.fetchval("SELECT logo FROM companies WHERE id=$1", company_id) == logo
        assert (settings.media_dir / logo).read_bytes() == GIF
        assert not (settings.media_dir / logos[-1]).exists(), "the replaced logo was left behind"
        logos.append(logo)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "adder": 403, "changer": 200, "root": 200},
        upload,
        changed=replaced,
    )
    assert len(logos) == 3


async def test_company_logo_delete_matrix(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("adder", permissions=("companies.add_company", "companies.delete_company"))
    await actors.create("changer", permissions=("companies.change_company",))
    company_id = await _company(client, actors, "Acme Widgets")
    logos: dict[str, str] = {}

    async def fresh_logo(name: str) -> tuple[str, str, Any]:
        logos[name] = await _upload_logo(client, actors, company_id, f"{name}.png")
        return ("DELETE", f"/api/v3/companies/{company_id}/logo", None)

    async def removed(name: str, response: Any) -> None:
        assert await db_conn.fetchval("SELECT logo FROM companies WHERE id=$1", company_id) is None
        assert not (settings.media_dir / logos[name]).exists(), "the stored logo was left behind"

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "adder": 403, "changer": 204, "root": 204},
        fresh_logo,
        changed=removed,
    )
    # Removing a logo that is not there changes nothing.
    before = await db_conn.fetchval("SELECT count(*) FROM changes")
    r = await client.delete(f"/api/v3/companies/{company_id}/logo", headers=actors["root"].headers)
    assert r.status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == before


async def test_company_delete_removes_its_logo(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("changer", permissions=("companies.add_company", "companies.change_company"))
    await actors.create("deleter", permissions=("companies.delete_company",))
    companies: dict[str, tuple[int, str]] = {}

    async def fresh_company(name: str) -> tuple[str, str, Any]:
        company_id = await _company(client, actors, f"Company of {name}")
        companies[name] = (company_id, await _upload_logo(client, actors, company_id, f"{name}.png"))
        return ("DELETE", f"/api/v3/companies/{company_id}", None)

    async def deleted(name: str, response: Any) -> None:
        company_id, logo = companies[name]
        assert await db_conn.fetchval("SELECT count(*) FROM companies WHERE id=$1", company_id) == 0
        assert not (settings.media_dir / logo).exists(), "the stored logo was left behind"

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "changer": 403, "deleter": 204, "root": 204},
        fresh_company,
        changed=deleted,
    )
    for name in ("anonymous", "ordinary", "staffer", "changer"):
        assert (settings.media_dir / companies[name][1]).read_bytes() == PNG, name

    # A logo another company still names stays.
    company_id, logo = companies["changer"]
    await db_conn.execute("UPDATE companies SET logo=$1 WHERE id=$2", logo, companies["ordinary"][0])
    r = await client.delete(f"/api/v3/companies/{company_id}", headers=actors["deleter"].headers)
    assert r.status_code == 204
    assert (settings.media_dir / logo).read_bytes() == PNG


# --- community uploads --------------------------------------------------------------------------


async def _community_upload_matrix(
    client: Any,
    actors: Any,
    db_conn: Any,
    settings: Any,
    *,
    url: str,
    table: str,
    column: str,
    row_id: int,
    extension: str,
    content: bytes,
) -> None:
    stored_names: list[str] = []

    async def upload(name: str) -> tuple[str, str, Any]:
        return (
            "POST",
            url,
            Multipart(files={"file": (f"{name}.{extension}", content, "application/octet-stream")}),
        )

    async def stored(name: str, response: Any) -> None:
        stored_name = await db_conn.fetchval(f"SELECT {column} FROM {table} WHERE id=$1", row_id)
        assert stored_name.startswith("community/") and f"/{name}" in stored_name, stored_name
        assert (settings.media_dir / stored_name).read_bytes() == content
        if stored_names:  # the file it replaced goes
            assert not (settings.media_dir / stored_names[-1]).exists(), "the replaced file was left behind"
        stored_names.append(stored_name)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "adder": 403, "editor": 201, "root": 201},
        upload,
        changed=stored,
    )
    assert len(stored_names) == 2


async def test_community_upload_matrices(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    await actors.create("adder", permissions=("community.add_post", "community.delete_post"))
    await actors.create("editor", permissions=("community.change_post",))
    body = {
        "title": "PyCon",
        "content": "<p>Photos</p>",
        "status": 2,
        "photos": [{"caption": "Keynote"}],
        "videos": [{"caption": "The keynote"}],
    }
    r = await client.post("/api/v3/community/posts", headers=actors["root"].headers, json=body)
    assert r.status_code == 201, r.text
    post = r.json()
    await make_creator(actors, db_conn, "community_posts", post["id"])
    photo_id, video_id = post["photos"][0]["id"], post["videos"][0]["id"]
    base = f"/api/v3/community/posts/{post['id']}"
    await _community_upload_matrix(
        client,
        actors,
        db_conn,
        settings,
        url=f"{base}/photos/{photo_id}/image",
        table="community_photos",
        column="image",
        row_id=photo_id,
        extension="png",
        content=PNG,
    )
    await _community_upload_matrix(
        client,
        actors,
        db_conn,
        settings,
        url=f"{base}/videos/{video_id}/data",
        table="community_videos",
        column="video_data",
        row_id=video_id,
        extension="mp4",
        content=MP4,
    )
