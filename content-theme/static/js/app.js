/* The interactive pages of the static site (the account pages under /accounts/, post and edit a
   job, preview, your listings, event and story submissions).
   Each is a static page whose <main> names its controller in data-app; everything goes through
   /api/v3/ on the same origin with the browser's session cookie and the CSRF header. */
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

  function param(name) {
    return new URLSearchParams(window.location.search).get(name);
  }

  function loginUrl() {
    return "/accounts/login/?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  // The one gate for every URL a page navigates to that it did not write itself (a ?next=
  // parameter, a URL from the API): a path on this origin, or the fallback. The value must start
  // with one "/" not followed by "/" or "\" (browsers read "/\host" as "//host"), and parsed
  // against this origin it must stay on it (tabs and newlines, which the URL parser drops, cannot
  // smuggle a host past the first check).
  function safeNext(value, fallback) {
    var otherwise = fallback || "/";
    if (typeof value !== "string" || !/^\/(?![\/\\])/.test(value)) return otherwise;
    var url;
    try {
      url = new URL(value, window.location.origin);
    } catch (e) {
      return otherwise;
    }
    // The absolute URL, not its path: "/..//host" parses to the path "//host", which would
    // leave the site again if it were handed on as it is.
    return url.origin === window.location.origin ? url.href : otherwise;
  }

  // Every navigation of these pages goes through here.
  function go(target, fallback) {
    window.location.assign(safeNext(target, fallback));
  }

  // Messages from the API: {"detail": ..., "errors": {"field": ["..."]}}, a 409's
  // {"detail": ..., "extra": {"field": ...}}, or DRF-like shapes.
  function problems(data) {
    if (!data) return ["Something went wrong. Please try again."];
    var out = [];
    var errors = data.errors || data.extra || {};
    // One problem with the field it concerns: {"detail": ..., "extra": {"field": "username"}}.
    if (typeof errors.field === "string" && data.detail) return [errors.field + ": " + data.detail];
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
    list.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    });
    box.appendChild(ul);
    box.focus();
  }

  function text(el, value) {
    if (el) el.textContent = value == null ? "" : String(value);
  }

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

  // Shows a finished form's message in place of the form, and moves focus to it.
  function done(main, form) {
    var message = main.querySelector(".form-done");
    main.querySelector(".form-errors").hidden = true;
    if (form) form.hidden = true;
    message.hidden = false;
    message.focus();
    return message;
  }

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

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.querySelector("[data-app]");
    var controller = main && controllers[main.getAttribute("data-app")];
    if (controller) controller(main);
  });
})();
