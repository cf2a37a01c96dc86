/* Users on the static site: /users/edit/ (python.org's profile form and account deletion) and
   what a public profile page (/users/<username>/) shows depending on who looks at it (the
   owner's edit link; an address its owner shows to logged-in users only).
   Everything goes through /api/v3/ on the same origin with the session cookie and the CSRF
   header (the helpers in window.pydotorg, site.js). */
(function () {
  "use strict";

  var P = window.pydotorg;  // the shared helpers (site.js)
  var api = P.api, go = P.go, loginUrl = P.loginUrl, problems = P.problems, showProblems = P.showProblems;
  var text = P.text;

  function profileUrl(username) {
    return "/users/" + encodeURIComponent(username) + "/";
  }

  var TEXT_FIELDS = ["username", "first_name", "last_name", "bio", "bio_markup_type"];

  function editProfile(main) {
    var form = main.querySelector(".user-edit-form");
    var errors = main.querySelector(".form-errors");
    var saved = main.querySelector(".form-done");
    var pending = main.querySelector(".user-pending");
    var profileLink = main.querySelector(".user-profile-link");
    var removal = main.querySelector(".user-delete");
    var confirmForm = main.querySelector(".user-delete-form");
    var me = null;

    function fill(user) {
      me = user;
      TEXT_FIELDS.forEach(function (name) { form[name].value = user[name] || ""; });
      form.email.value = user.email;
      form.querySelector('input[name="search_visibility"][value="' + user.search_visibility + '"]').checked = true;
      form.querySelector('input[name="email_privacy"][value="' + user.email_privacy + '"]').checked = true;
      form.public_profile.checked = user.public_profile;
      pending.hidden = !user.pending_email;
      text(main.querySelector(".user-pending-email"), user.pending_email);
      text(main.querySelector(".user-current-email"), user.email);
      // Only a searchable account has a page (python.org: a 404 for everyone else).
      var searchable = user.is_active && user.public_profile && user.search_visibility === 1;
      profileLink.hidden = !searchable;
      profileLink.href = profileUrl(user.username);
    }

    api("GET", "/users/me").then(function (result) {
      if (result.status === 401) return go(loginUrl());
      main.querySelector(".user-loading").hidden = true;
      if (!result.ok) return showProblems(errors, problems(result.data));
      fill(result.data);
      form.hidden = false;
      removal.hidden = false;
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saved.hidden = true;
      var body = {};
      TEXT_FIELDS.forEach(function (name) { body[name] = form[name].value; });
      // Only a different address is a change request (it mails a confirmation link).
      if (form.email.value.toLowerCase() !== me.email.toLowerCase()) body.email = form.email.value;
      body.search_visibility = Number(form.querySelector('input[name="search_visibility"]:checked').value);
      body.email_privacy = Number(form.querySelector('input[name="email_privacy"]:checked').value);
      body.public_profile = form.public_profile.checked;
      body.website = form.website.value;  // the honeypot: empty unless a bot filled it
      api("PATCH", "/users/me", body).then(function (result) {
        if (result.status === 401) return go(loginUrl());
        if (!result.ok) return showProblems(errors, problems(result.data));
        errors.hidden = true;
        fill(result.data);
        saved.hidden = false;
        saved.focus();
      });
    });

    main.querySelector(".user-delete-start").addEventListener("click", function () {
      confirmForm.hidden = false;
      confirmForm.confirm_username.focus();
    });
    main.querySelector(".user-delete-cancel").addEventListener("click", function () {
      confirmForm.reset();
      confirmForm.hidden = true;
    });
    confirmForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (confirmForm.confirm_username.value !== me.username) {
        return showProblems(errors, ["confirm_username: Type your username exactly as it is: " + me.username]);
      }
      api("DELETE", "/users/me").then(function (result) {
        if (result.status === 401) return go(loginUrl());
        if (!result.ok) return showProblems(errors, problems(result.data));
        errors.hidden = true;
        form.hidden = true;
        saved.hidden = true;
        pending.hidden = true;
        removal.hidden = true;
        var gone = main.querySelector(".user-deleted");
        gone.hidden = false;
        gone.focus();
      });
    });
  }

  function showProfile(main) {
    var username = main.getAttribute("data-username");
    if (!P.maybeLoggedIn()) return;  // not logged in: nothing to add
    api("GET", "/users/me").then(function (me) {
      if (!me.ok) return;
      if (me.data.username === username) main.querySelector(".user-edit").hidden = false;
      if (!main.hasAttribute("data-email-for-logged-in")) return;
      api("GET", "/users/" + encodeURIComponent(username)).then(function (result) {
        if (!result.ok || !result.data.email) return;
        var cell = main.querySelector(".user-email");
        var link = document.createElement("a");
        link.href = "mailto:" + result.data.email;
        link.textContent = result.data.email;
        cell.appendChild(link);
        cell.hidden = false;
        main.querySelector(".user-email-term").hidden = false;
      });
    });
  }

  P.runApp({ "user-edit": editProfile, "user-profile": showProfile });
})();
