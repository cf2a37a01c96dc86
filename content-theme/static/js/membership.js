/* PSF membership pages: /membership/ (behind the psf_membership flag) and the member's own
   pages under /users/membership/ (join, edit and leave, vote affirmation). Each is a static page
   whose element with data-app names its controller here; everything goes through /api/v3/ on
   the same origin with the browser's session cookie and the CSRF header (the helpers in
   window.pydotorg, site.js). */
(function () {
  "use strict";

  var MEMBERSHIP = "/users/me/membership";
  var FIELDS = ["legal_name", "preferred_name", "email_address", "city", "region", "country",
    "postal_code"];

  var P = window.pydotorg;  // the shared helpers (site.js)
  var api = P.api, go = P.go, complaints = P.complaints;

  function toLogin() {
    go(P.loginUrl());
  }

  function clearProblems(main) {
    var box = main.querySelector(".form-errors");
    box.hidden = true;
    box.textContent = "";
    [].forEach.call(main.querySelectorAll(".field-error"), function (slot) {
      slot.hidden = true;
      slot.textContent = "";
      var input = document.getElementById(slot.id.replace(/-error$/, ""));
      if (input) input.removeAttribute("aria-invalid");
    });
  }

  // The summary above the form, and each message next to the field it names.
  function showProblems(main, list) {
    clearProblems(main);
    var box = main.querySelector(".form-errors");
    var ul = document.createElement("ul");
    list.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item[0] ? item[0] + ": " + item[1] : item[1];
      ul.appendChild(li);
      var slot = item[0] && document.getElementById("id-" + item[0] + "-error");
      if (slot) {
        slot.textContent = item[1];
        slot.hidden = false;
        document.getElementById("id-" + item[0]).setAttribute("aria-invalid", "true");
      }
    });
    box.appendChild(ul);
    box.hidden = false;
    box.focus();
  }

  function values(form) {
    var body = {};
    FIELDS.forEach(function (name) { body[name] = form[name].value.trim(); });
    body.psf_announcements = form.psf_announcements.checked;
    body.website = form.website.value;
    return body;
  }

  function fill(form, m) {
    FIELDS.forEach(function (name) { form[name].value = m[name] || ""; });
    form.psf_announcements.checked = !!m.psf_announcements;
  }

  function loaded(main) {
    main.querySelector(".membership-loading").hidden = true;
  }

  var controllers = {};

  // python.org answers /membership/ with 404 unless the flag is on for the visitor. waffle's
  // testing switch (?dwft_psf_membership=1|0) goes on to the API, which remembers it in a cookie.
  controllers["membership-landing"] = function (main) {
    var testing = P.param("dwft_psf_membership");
    var query = testing === null ? "" : "?dwft_psf_membership=" + encodeURIComponent(testing);
    api("GET", "/flags/psf_membership/active" + query).then(function (result) {
      var on = result.ok && result.data && result.data.active === true;
      main.querySelector(on ? ".flag-on" : ".flag-off").hidden = false;
    });
  };

  // Join: a member already is sent to the edit page, as python.org's view redirected.
  controllers["membership-create"] = function (main) {
    var form = main.querySelector("form");
    api("GET", MEMBERSHIP).then(function (result) {
      if (result.status === 401) return toLogin();
      if (result.ok) return go("/users/membership/edit/");
      if (result.status !== 404) {
        loaded(main);
        return showProblems(main, complaints(result.data));
      }
      return api("GET", "/users/me").then(function (me) {
        loaded(main);
        if (me.ok && me.data && me.data.email) form.email_address.value = me.data.email;
        form.hidden = false;
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = values(form);
      body.psf_code_of_conduct = form.psf_code_of_conduct.value === "true";
      api("POST", MEMBERSHIP, body).then(function (result) {
        if (result.status === 401) return toLogin();
        if (result.status === 409) return go("/users/membership/edit/");
        if (!result.ok) return showProblems(main, complaints(result.data));
        go("/users/membership/thanks/");
      });
    });
  };

  function summarize(main, m) {
    main.querySelector(".membership-type").textContent = m.membership_type_name;
    main.querySelector(".membership-votes").textContent = m.votes ? "yes" : "no";
    main.querySelector(".membership-affirm-notice").hidden = !m.needs_vote_affirmation;
  }

  // Edit (the code of conduct answer cannot change) and leave.
  controllers["membership-edit"] = function (main) {
    var form = main.querySelector(".membership-edit-form");
    var leave = main.querySelector(".membership-delete");
    var saved = main.querySelector(".form-done");
    api("GET", MEMBERSHIP).then(function (result) {
      loaded(main);
      if (result.status === 401) return toLogin();
      if (result.status === 404) {
        main.querySelector(".membership-none").hidden = false;
        return;
      }
      if (!result.ok) return showProblems(main, complaints(result.data));
      fill(form, result.data);
      summarize(main, result.data);
      form.hidden = false;
      leave.hidden = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saved.hidden = true;
      api("PATCH", MEMBERSHIP, values(form)).then(function (result) {
        if (result.status === 401) return toLogin();
        if (!result.ok) return showProblems(main, complaints(result.data));
        clearProblems(main);
        fill(form, result.data);
        summarize(main, result.data);
        saved.hidden = false;
        saved.focus();
      });
    });
    leave.addEventListener("submit", function (event) {
      event.preventDefault();
      api("DELETE", MEMBERSHIP).then(function (result) {
        if (result.status === 401) return toLogin();
        if (!result.ok) return showProblems(main, complaints(result.data));
        clearProblems(main);
        form.hidden = true;
        leave.hidden = true;
        saved.hidden = true;
        main.querySelector(".membership-affirm-notice").hidden = true;
        var deleted = main.querySelector(".membership-deleted");
        deleted.hidden = false;
        deleted.focus();
      });
    });
  };

  // Affirming makes the member a voting member and restarts the 366 days.
  controllers["membership-affirm"] = function (main) {
    var form = main.querySelector("form");
    api("GET", MEMBERSHIP).then(function (result) {
      loaded(main);
      if (result.status === 401) return toLogin();
      if (result.status === 404) {
        main.querySelector(".membership-none").hidden = false;
        return;
      }
      if (!result.ok) return showProblems(main, complaints(result.data));
      var last = result.data.last_vote_affirmation;
      main.querySelector(".membership-last-date").textContent = last ? last.slice(0, 10) : "never";
      main.querySelector(".membership-due").hidden = !result.data.needs_vote_affirmation;
      form.hidden = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", MEMBERSHIP + "/affirm").then(function (result) {
        if (result.status === 401) return toLogin();
        if (!result.ok) return showProblems(main, complaints(result.data));
        go("/users/membership/affirm/done/");
      });
    });
  };

  P.runApp(controllers);
})();
