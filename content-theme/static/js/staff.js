/* Staff-only links on public pages: python.org's "Edit this release" button, which its release
   pages loaded for staff from /release-edit-button/<pk>. A page is the same for every visitor
   (the CDN keeps one copy), so it carries only an empty, hidden hook such as
     <p class="staff-edit" data-staff-edit="release" data-id="42" hidden></p>
   and this script puts the link in it when GET /api/v3/users/me says the visitor is staff. Like
   the account menu (site.js), it asks only when the CSRF cookie of a log-in exists, so anonymous
   visits cost the API nothing. Loaded after site.js, whose window.pydotorg it uses. */
(function () {
  "use strict";
  var P = window.pydotorg;

  // Where a staff member edits each kind of record. Until the editors' console (/manage/) exists,
  // a release is edited through the API: this is its record (drafts included for staff, read with
  // the session cookie), and PATCH on the same URL with an API key changes it (docs/decisions.md).
  var EDIT = {
    release: {
      label: "Edit this release",
      url: function (id) { return "/api/v3/downloads/releases/" + id; }
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var hooks = document.querySelectorAll("[data-staff-edit]");
    if (!hooks.length || !P.maybeLoggedIn()) return;
    P.api("GET", "/users/me").then(function (result) {
      if (!result.ok || !result.data || result.data.is_staff !== true) return;
      Array.prototype.forEach.call(hooks, function (hook) {
        var kind = EDIT[hook.getAttribute("data-staff-edit")];
        var id = hook.getAttribute("data-id") || "";
        if (!kind || !/^[0-9]+$/.test(id)) return;
        var edit = P.link(kind.url(id), kind.label);
        edit.className = "button";
        hook.appendChild(edit);
        hook.hidden = false;
      });
    }).catch(function () { /* no link: the page stays as everyone sees it */ });
  });
})();
