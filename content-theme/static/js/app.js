/* The interactive pages of the static site (the account pages under /accounts/, post and edit a
   job, preview, your listings, event and story submissions).
   Each is a static page whose <main> names its controller in data-app; everything goes through
   /api/v3/ on the same origin with the browser's session cookie and the CSRF header (the helpers
   in window.pydotorg, site.js). */
(function () {
  "use strict";

  var P = window.pydotorg;  // the shared helpers (site.js)
  var api = P.api, param = P.param, loginUrl = P.loginUrl, safeNext = P.safeNext, go = P.go;
  var problems = P.problems, showProblems = P.showProblems, text = P.text, done = P.done;

  var controllers = {};

  controllers.login = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/auth/login", {
        login: form.login.value,
        password: form.password.value,
        session: "cookie"
      }).then(function (result) {
        // allauth sends a deactivated account to its own page (the password was right).
        if (result.status === 403 && result.data && /inactive/.test(result.data.detail)) {
          return go("/accounts/inactive/");
        }
        if (!result.ok) return showProblems(errors, problems(result.data));
        go(param("next"), "/");
      });
    });
  };

  // Password twice, as allauth's forms ask: a mismatch is told before anything is sent.
  function passwordsDiffer(form, errors) {
    if (form.password1.value === form.password2.value) return false;
    showProblems(errors, ["password2: You must type the same password each time."]);
    return true;
  }

  controllers.signup = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (passwordsDiffer(form, errors)) return;
      api("POST", "/auth/signup", {
        email: form.email.value,
        username: form.username.value,
        password: form.password1.value,
        website: form.website.value
      }).then(function (result) {
        if (!result.ok) return showProblems(errors, problems(result.data));
        text(main.querySelector(".signup-email"), form.email.value);
        done(main, form);
      });
    });
  };

  controllers["confirm-email"] = function (main) {
    var token = param("token");
    var working = main.querySelector(".confirm-working");
    var failed = main.querySelector(".confirm-failed");
    var again = main.querySelector(".confirm-again");
    var resend = main.querySelector(".confirm-resend");
    var errors = main.querySelector(".form-errors");
    var sent = main.querySelector(".confirm-sent");

    function showSent() {
      main.querySelector(".confirm-sent-earlier").hidden = true;
      errors.hidden = true;
      resend.hidden = true;
      failed.hidden = true;
      sent.hidden = false;
      sent.focus();
    }
    function ask(body) {
      return api("POST", "/auth/verify-email/resend", body).then(function (result) {
        if (result.ok) return showSent();
        // A link too old or too damaged to name its address: ask for the address instead.
        if (result.status === 400 && body.token) {
          main.querySelector(".confirm-again-token").hidden = true;
          resend.hidden = false;
          return resend.email.focus();
        }
        showProblems(errors, problems(result.data));
      });
    }
    again.addEventListener("click", function () { ask({ token: token }); });
    resend.addEventListener("submit", function (event) {
      event.preventDefault();
      ask({ email: resend.email.value });
    });

    if (!token) {  // opened without a link (allauth's "verification sent" page): ask for one
      working.hidden = true;
      main.querySelector(".confirm-sent-earlier").hidden = false;
      resend.hidden = false;
      return;
    }
    api("POST", "/auth/verify-email", { token: token }).then(function (result) {
      working.hidden = true;
      if (result.ok) {
        text(main.querySelector(".confirmed-email"), result.data.email);
        return done(main, null);
      }
      if (result.status !== 400) return showProblems(errors, problems(result.data));
      failed.hidden = false;
      main.querySelector(".confirm-problem").focus();
    });
  };

  controllers.logout = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/auth/logout").then(function (result) {
        // Already logged out (401) ends in the same place.
        if (!result.ok && result.status !== 401) return showProblems(errors, problems(result.data));
        go("/");
      });
    });
  };

  controllers["password-reset"] = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/auth/password/reset", { email: form.email.value }).then(function (result) {
        if (!result.ok) return showProblems(errors, problems(result.data));
        go("/accounts/password/reset/done/");
      });
    });
  };

  controllers["password-reset-key"] = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    var bad = main.querySelector(".reset-bad-token");
    var token = param("token");
    function badToken() {
      errors.hidden = true;
      form.hidden = true;
      bad.hidden = false;
      bad.focus();
    }
    if (!token) return badToken();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (passwordsDiffer(form, errors)) return;
      api("POST", "/auth/password/reset/confirm", {
        token: token,
        new_password: form.password1.value
      }).then(function (result) {
        if (result.status === 400 && result.data && /token/.test(result.data.detail || "")) return badToken();
        if (!result.ok) return showProblems(errors, problems(result.data));
        go("/accounts/password/reset/key/done/");
      });
    });
  };

  controllers["password-change"] = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    api("GET", "/users/me").then(function (result) {
      if (result.status === 401) go(loginUrl());
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (passwordsDiffer(form, errors)) return;
      api("POST", "/auth/password/change", {
        old_password: form.old_password.value,
        new_password: form.password1.value
      }).then(function (result) {
        if (result.status === 401) return go(loginUrl());
        if (!result.ok) return showProblems(errors, problems(result.data));
        done(main, form);
      });
    });
  };

  // The GitHub/Google accounts connected to yours (allauth's /accounts/social/connections/); the
  // providers to connect are social.js's links, which start the flow while logged in.
  controllers["social-connections"] = function (main) {
    var errors = main.querySelector(".form-errors");
    var section = main.querySelector(".connections");
    var table = main.querySelector(".connections-list");
    var body = table.querySelector("tbody");
    var removed = main.querySelector(".form-done");

    function show(listing) {
      body.textContent = "";
      listing.connections.forEach(function (connection) {
        var row = document.createElement("tr");
        var provider = document.createElement("th");
        provider.scope = "row";
        provider.textContent = connection.label;
        row.appendChild(provider);
        [connection.email, connection.created.slice(0, 10)].forEach(function (value) {
          var cell = document.createElement("td");
          cell.textContent = value;
          row.appendChild(cell);
        });
        var actions = document.createElement("td");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button connection-remove";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", "Remove " + connection.label + " (" + connection.email + ")");
        remove.addEventListener("click", function () { removeConnection(connection); });
        actions.appendChild(remove);
        row.appendChild(actions);
        body.appendChild(row);
      });
      var none = !listing.connections.length;
      table.hidden = none;
      main.querySelector(".connections-none").hidden = !none;
      main.querySelector(".connections-no-password").hidden = listing.has_password || none;
      section.hidden = false;
    }

    function load() {
      return api("GET", "/users/me/connections").then(function (result) {
        if (result.status === 401) return go(loginUrl());
        main.querySelector(".connections-loading").hidden = true;
        if (!result.ok) return showProblems(errors, problems(result.data));
        show(result.data);
      });
    }

    function removeConnection(connection) {
      removed.hidden = true;
      api("DELETE", "/users/me/connections/" + encodeURIComponent(connection.id)).then(function (result) {
        if (result.status === 401) return go(loginUrl());
        // The last way in to an account without a password: the API's sentence says what to do.
        if (result.status === 409 && result.data && result.data.detail) {
          return showProblems(errors, [result.data.detail]);
        }
        if (!result.ok) return showProblems(errors, problems(result.data));
        errors.hidden = true;
        load().then(function () {
          removed.hidden = false;
          removed.focus();
        });
      });
    }

    load();
  };

  // Where the API's OAuth callback sends a sign-in or connection that failed
  // (allauth's /accounts/social/login/error/). Only fixed text is shown: the reason and the
  // provider in the query pick a message and a name from these tables, anything else the default.
  var PROVIDER_NAMES = { github: "GitHub", google: "Google" };
  var SOCIAL_FAILURES = {
    denied: "You cancelled signing in with %s, or %s did not allow it. Nothing was changed.",
    provider: "%s reported a problem and did not sign you in. Nothing was changed.",
    state: "The sign-in was not started in this browser, or the browser lost its cookie. Start again from this site.",
    expired: "The sign-in with %s took too long. Start again.",
    signed_out: "The account that started connecting %s is no longer signed in here. Sign in and start again.",
    exchange: "%s did not accept the sign-in. Start again.",
    unavailable: "%s could not be reached or sent an account this site cannot read. Try again later.",
    taken: "This %s account is already connected to another python.org account. Nothing was changed.",
    email_unverified: "%s does not report a verified e-mail address for this account, so it cannot " +
      "sign you in to an account here or create one; nothing was connected or created. Verify your " +
      "address at %s and try again, or sign in with your password and connect %s from your connected accounts."
  };

  controllers["social-login-error"] = function (main) {
    var reason = param("reason");
    var provider = param("provider");
    var own = Object.prototype.hasOwnProperty;
    if (own.call(SOCIAL_FAILURES, reason)) {
      var name = own.call(PROVIDER_NAMES, provider) ? PROVIDER_NAMES[provider] : "the other site";
      var message = SOCIAL_FAILURES[reason].split("%s").join(name);
      text(main.querySelector(".social-error-message"), message.charAt(0).toUpperCase() + message.slice(1));
    }
    // A browser still logged in was connecting an account: back to its connections.
    if (P.maybeLoggedIn()) {
      var again = main.querySelector(".social-error-again");
      again.href = "/accounts/social/connections/";
      again.textContent = "Back to your connected accounts";
    }
  };

  var JOB_FIELDS = ["job_title", "company_name", "other_job_type", "city", "region", "country",
    "description", "requirements", "company_description", "contact", "email", "job_url"];

  controllers["job-form"] = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    var id = param("id");
    var heading = main.querySelector("h1");
    Promise.all([
      api("GET", "/jobs/categories?with_jobs=false&limit=1000"),
      api("GET", "/jobs/types?with_jobs=false&limit=1000"),
      id ? api("GET", "/jobs/" + encodeURIComponent(id)) : Promise.resolve(null)
    ]).then(function (results) {
      var categories = results[0].data ? results[0].data.data : [];
      var types = results[1].data ? results[1].data.data : [];
      var select = form.category;
      categories.forEach(function (c) {
        var option = document.createElement("option");
        option.value = c.slug;
        option.textContent = c.name;
        select.appendChild(option);
      });
      var box = main.querySelector(".job-types");
      types.forEach(function (t) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "checkbox";
        input.name = "job_types";
        input.value = t.slug;
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + t.name));
        box.appendChild(label);
      });
      var job = results[2];
      if (job && job.status === 401) return go(loginUrl());
      if (job && !job.ok) return showProblems(errors, problems(job.data));
      if (job) {
        text(heading, "Edit your job listing");
        JOB_FIELDS.forEach(function (name) { form[name].value = job.data[name] || ""; });
        select.value = job.data.category.slug;
        job.data.job_types.forEach(function (t) {
          var input = box.querySelector('input[value="' + t.slug + '"]');
          if (input) input.checked = true;
        });
        form.telecommuting.checked = job.data.telecommuting;
        form.agencies.checked = job.data.agencies;
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      JOB_FIELDS.forEach(function (name) { body[name] = form[name].value; });
      body.category = form.category.value;
      body.job_types = Array.prototype.map.call(
        form.querySelectorAll('input[name="job_types"]:checked'), function (i) { return i.value; });
      body.telecommuting = form.telecommuting.checked;
      body.agencies = form.agencies.checked;
      var request = id ? api("PATCH", "/jobs/" + encodeURIComponent(id), body) : api("POST", "/jobs", body);
      request.then(function (result) {
        if (result.status === 401) return go(loginUrl());
        if (!result.ok) return showProblems(errors, problems(result.data));
        go("/jobs/preview/?id=" + encodeURIComponent(result.data.id));
      });
    });
  };

  controllers["job-preview"] = function (main) {
    var id = param("id");
    var errors = main.querySelector(".form-errors");
    var article = main.querySelector(".job-detail");
    api("GET", "/jobs/" + encodeURIComponent(id || "0")).then(function (result) {
      if (result.status === 401) return go(loginUrl());
      if (!result.ok) return showProblems(errors, problems(result.data));
      var job = result.data;
      text(article.querySelector(".job-title"), job.job_title);
      text(article.querySelector(".job-company"), job.company_name);
      text(article.querySelector(".job-location"), job.display_location);
      text(article.querySelector(".job-status"), job.status);
      // Rendered and sanitized by the API (nh3), as on the public page.
      article.querySelector(".job-description").innerHTML = job.description_html;
      article.querySelector(".job-requirements").innerHTML = job.requirements_html;
      article.hidden = false;
      main.querySelector(".job-edit").href = "/jobs/edit/?id=" + encodeURIComponent(job.id);
      var submit = main.querySelector(".job-submit");
      submit.hidden = !job.editable || job.status === "review";
      submit.addEventListener("click", function () {
        api("POST", "/jobs/" + encodeURIComponent(job.id) + "/submit").then(function (r) {
          if (!r.ok) return showProblems(errors, problems(r.data));
          go("/jobs/thanks/");
        });
      });
    });
  };

  controllers["job-mine"] = function (main) {
    var errors = main.querySelector(".form-errors");
    var body = main.querySelector("tbody");
    api("GET", "/jobs/mine?limit=1000").then(function (result) {
      if (result.status === 401) return go(loginUrl());
      if (!result.ok) return showProblems(errors, problems(result.data));
      main.querySelector(".job-none").hidden = result.data.data.length > 0;
      result.data.data.forEach(function (job) {
        var row = document.createElement("tr");
        var title = document.createElement("th");
        title.scope = "row";
        var link = document.createElement("a");
        var preview = "/jobs/preview/?id=" + encodeURIComponent(job.id);
        link.href = job.status === "approved" ? safeNext(job.url, preview) : preview;
        link.textContent = job.job_title;
        title.appendChild(link);
        row.appendChild(title);
        [job.company_name, job.status, job.created.slice(0, 10)].forEach(function (value) {
          var cell = document.createElement("td");
          cell.textContent = value;
          row.appendChild(cell);
        });
        var actions = document.createElement("td");
        if (job.editable) {
          var edit = document.createElement("a");
          edit.href = "/jobs/edit/?id=" + encodeURIComponent(job.id);
          edit.textContent = "Edit";
          actions.appendChild(edit);
        }
        if (job.status !== "removed") {
          var withdraw = document.createElement("button");
          withdraw.type = "button";
          withdraw.className = "button";
          withdraw.textContent = "Remove";
          withdraw.addEventListener("click", function () {
            api("POST", "/jobs/" + job.id + "/withdraw").then(function (r) {
              if (!r.ok) return showProblems(errors, problems(r.data));
              window.location.reload();
            });
          });
          actions.appendChild(document.createTextNode(" "));
          actions.appendChild(withdraw);
        }
        row.appendChild(actions);
        body.appendChild(row);
      });
    });
  };

  var EVENT_FIELDS = ["event_name", "event_type", "python_focus", "expected_attendees", "location",
    "date_from", "date_to", "recurrence", "link", "description"];

  controllers["event-submit"] = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      EVENT_FIELDS.forEach(function (name) { body[name] = form[name].value; });
      api("POST", "/events/submissions", body).then(function (result) {
        if (result.status === 401) return go(loginUrl());
        if (!result.ok) return showProblems(errors, problems(result.data));
        go("/events/submit/thanks/");
      });
    });
  };

  var STORY_FIELDS = ["name", "company_name", "company_url", "category", "author", "author_email",
    "pull_quote", "content", "website"];

  controllers["story-submit"] = function (main) {
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      STORY_FIELDS.forEach(function (name) { body[name] = form[name].value; });
      api("POST", "/success-stories/submissions", body).then(function (result) {
        if (result.status === 401) return go(loginUrl());
        if (!result.ok) return showProblems(errors, problems(result.data));
        form.hidden = true;
        errors.hidden = true;
        main.querySelector(".form-done").hidden = false;
      });
    });
  };

  P.runApp(controllers);
})();
