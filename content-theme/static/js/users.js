/* Users on the static site: /users/edit/ (python.org's profile form and account deletion) and
   what a public profile page (/users/<username>/) shows depending on who looks at it (the
   owner's edit link; an address its owner shows to logged-in users only).
   Everything goes through /api/v3/ on the same origin with the session cookie and the CSRF
   header, as app.js does for the account pages. */
(function () {
  "use strict";

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function api(method, path, body) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = cookie("pydotorg_csrf");
    return fetch("/api/v3" + path, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) return { ok: true, status: 204, data: null };
      return response.json().then(
        function (data) { return { ok: response.ok, status: response.status, data: data }; },
        function () { return { ok: response.ok, status: response.status, data: null }; }
      );
    });
  }

  function loginUrl() {
    return "/accounts/login/?next=" + encodeURIComponent(window.location.pathname);
  }

  function profileUrl(username) {
    return "/users/" + encodeURIComponent(username) + "/";
  }

  // The API's messages: {"detail", "errors": {field: [...]}} or a 409's {"detail", "extra": {"field"}}.
  function problems(data) {
    if (!data) return ["Something went wrong. Please try again."];
    var errors = data.errors || data.extra || {};
    if (typeof errors.field === "string" && data.detail) return [errors.field + ": " + data.detail];
    var out = [];
    if (Array.isArray(errors)) {
      errors.forEach(function (e) { out.push((e.key ? e.key + ": " : "") + (e.message || e)); });
    } else {
      Object.keys(errors).forEach(function (field) {
        [].concat(errors[field]).forEach(function (msg) { out.push(field + ": " + msg); });
      });
    }
    if (!out.length) out.push(data.detail || "Something went wrong. Please try again.");
    return out;
  }

  function showProblems(box, list) {
    box.hidden = false;
    box.textContent = "";
    var ul = document.createElement("ul");
    list.forEach(function (message) {
      var li = document.createElement("li");
      li.textContent = message;
      ul.appendChild(li);
    });
    box.appendChild(ul);
    box.focus();
  }

  function text(el, value) {
    if (el) el.textContent = value == null ? "" : String(value);
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
      if (result.status === 401) return window.location.assign(loginUrl());
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
        if (result.status === 401) return window.location.assign(loginUrl());
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
        if (result.status === 401) return window.location.assign(loginUrl());
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
    if (!/(?:^|; )pydotorg_csrf=[^;]/.test(document.cookie)) return;  // not logged in: nothing to add
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

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.querySelector("[data-app]");
    if (!main) return;
    var app = main.getAttribute("data-app");
    if (app === "user-edit") editProfile(main);
    else if (app === "user-profile") showProfile(main);
  });
})();
