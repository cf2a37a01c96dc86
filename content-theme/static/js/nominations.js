/* The elections pages (/nominations/, /users/nominations/): an election's accent colour, and the
   visitors' own pages — make or edit a nomination (with the statement preview), accept one, see
   one's own candidacy before the nominees list is public, and one's nominations made and
   received. Every page is a static file, the same for everyone; everything personal comes from
   /api/v3/nominations/ on the same origin with the session cookie and the CSRF header (the
   helpers in window.pydotorg, site.js). */
(function () {
  "use strict";

  var COLOR = /^#[0-9a-fA-F]{6}$/;

  var P = window.pydotorg;  // the shared helpers (site.js)
  var param = P.param, safeNext = P.safeNext, problems = P.problems, showProblems = P.showProblems, link = P.link;
  var done = P.done;

  // Everything here is under /api/v3/nominations.
  function api(method, path, body) {
    return P.api(method, "/nominations" + path, body);
  }

  // Stops on a failed answer: a visitor who is not logged in goes to log in and comes back.
  function failed(result, errors) {
    if (result.ok) return false;
    if (result.status === 401) P.go(P.loginUrl());
    else showProblems(errors, problems(result.data));
    return true;
  }

  // The election's colour (validated #rrggbb by the API and the builder) as a CSS custom
  // property: the policy allows no inline style in the markup, the CSSOM is fine.
  function accents() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-accent]"), function (el) {
      var color = el.getAttribute("data-accent");
      if (COLOR.test(color)) el.style.setProperty("--election-accent", color);
    });
  }

  var controllers = {};

  // Before the close the list is empty for everyone; a logged-in nominee sees their own record.
  controllers.nominees = function (main) {
    var own = main.querySelector(".nominee-own");
    if (!own || !P.maybeLoggedIn()) return;
    var slug = main.getAttribute("data-election");
    api("GET", "/elections/" + encodeURIComponent(slug) + "/nominees").then(function (result) {
      if (!result.ok || !result.data.data.length) return;
      var nominee = result.data.data[0];
      var anchor = own.querySelector(".nominee-own-link");
      anchor.textContent = nominee.name;
      own.querySelector(".nominee-own-state").textContent =
        (nominee.accepted ? "accepted" : "not accepted yet") + ", " +
        (nominee.approved ? "approved" : "not approved yet");
      own.hidden = false;
    });
  };

  function formBody(form, creating) {
    var body = {
      name: form.name.value,
      email: form.email.value,
      employer: form.employer.value,
      other_affiliations: form.other_affiliations.value,
      nomination_statement: form.nomination_statement.value
    };
    var service = form.querySelector('input[name="previous_service"]:checked');
    if (service) {
      body.previous_service_years = service.value === "yes" ? Array.prototype.map.call(
        form.previous_service_years.selectedOptions, function (o) { return Number(o.value); }) : [];
    }
    if (creating) {
      body.self_nomination = form.self_nomination.checked;
      ["coc_acknowledged", "mission_alignment", "eligibility_confirmed"].forEach(function (name) {
        if (form[name]) body[name] = body.self_nomination && form[name].checked;
      });
    }
    return body;
  }

  function nominationForm(main, creating) {
    var slug = main.getAttribute("data-election");
    var base = "/elections/" + encodeURIComponent(slug) + "/nominations";
    var form = main.querySelector("form");
    var errors = main.querySelector(".form-errors");
    var years = form.querySelector(".previous-years");
    Array.prototype.forEach.call(form.querySelectorAll('input[name="previous_service"]'), function (radio) {
      radio.addEventListener("change", function () { years.hidden = radio.value !== "yes"; });
    });
    if (creating) {
      form.self_nomination.addEventListener("change", function () {
        form.querySelector(".acknowledgements").hidden = !form.self_nomination.checked;
      });
    }
    main.querySelector(".statement-preview-button").addEventListener("click", function () {
      api("POST", "/statement-preview", { text: form.nomination_statement.value }).then(function (result) {
        if (failed(result, errors)) return;
        var box = main.querySelector(".statement-preview");
        // Rendered and sanitized by the API: exactly what the nomination will store.
        box.querySelector(".nomination-statement").innerHTML = result.data.html;
        box.hidden = false;
      });
    });
    var id = creating ? null : param("id");
    var ready = creating
      ? api("GET", "/elections/" + encodeURIComponent(slug)).then(function (result) {
        if (failed(result, errors)) return false;
        if (!result.data.nominations_open) {
          showProblems(errors, ["Nominations for " + result.data.name + " are not open."]);
          return false;
        }
        // Only logged-in people nominate: ask before they type a statement.
        return api("GET", "/mine").then(function (me) { return !failed(me, errors); });
      })
      : api("GET", base + "/" + encodeURIComponent(id || "0")).then(function (result) {
        if (failed(result, errors)) return false;
        var n = result.data;
        if (!n.editable) {
          showProblems(errors, ["You cannot change this nomination now."]);
          return false;
        }
        ["name", "email", "employer", "other_affiliations", "nomination_statement"].forEach(function (field) {
          form[field].value = n[field] || "";
        });
        var stored = n.previous_board_service;
        if (stored !== null && form.previous_service_years) {
          var served = stored.split(",").map(function (y) { return y.trim(); }).filter(function (y) {
            return /^\d{4}$/.test(y);
          });
          form.querySelector('input[name="previous_service"][value="' + (served.length ? "yes" : "no") + '"]')
            .checked = true;
          years.hidden = !served.length;
          Array.prototype.forEach.call(form.previous_service_years.options, function (o) {
            o.selected = served.indexOf(o.value) >= 0;
          });
        }
        return true;
      });
    ready.then(function (ok) { form.hidden = !ok; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = formBody(form, creating);
      var request = creating ? api("POST", base, body) : api("PATCH", base + "/" + encodeURIComponent(id), body);
      request.then(function (result) {
        if (failed(result, errors)) return;
        done(main, form);
      });
    });
  }

  controllers["nomination-create"] = function (main) { nominationForm(main, true); };
  controllers["nomination-edit"] = function (main) { nominationForm(main, false); };

  controllers["nomination-accept"] = function (main) {
    var slug = main.getAttribute("data-election");
    var path = "/elections/" + encodeURIComponent(slug) + "/nominations/" + encodeURIComponent(param("id") || "0");
    var errors = main.querySelector(".form-errors");
    var article = main.querySelector(".nomination");
    var form = main.querySelector(".accept-form");
    api("GET", path).then(function (result) {
      if (failed(result, errors)) return;
      var n = result.data;
      if (!n.acceptable) return showProblems(errors, ["Only the nominee can accept a nomination, while nominations are open."]);
      article.querySelector(".nomination-name").textContent = n.name;
      article.querySelector(".nomination-state").textContent = n.accepted ? "accepted" : "not accepted yet";
      article.querySelector(".nomination-statement").innerHTML = n.nomination_statement_html;
      form.accepted.checked = n.accepted;
      article.hidden = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", path + "/accept", { accepted: form.accepted.checked }).then(function (result) {
        if (failed(result, errors)) return;
        done(main, article);
      });
    });
  };

  // A nomination's public page exists once the election's nominations are complete.
  function nominationRow(n, election, received) {
    var slug = election.slug;
    var li = document.createElement("li");
    li.className = "my-nomination";
    var open = election.nominations_complete && n.accepted && n.approved;
    li.appendChild(open ? link(safeNext(n.url), n.name || "Nomination " + n.id) : document.createTextNode(n.name || ""));
    var state = [n.self_nomination ? "self-nomination" : (received ? "received" : "made"),
      n.accepted ? "accepted" : "not accepted", n.approved ? "approved" : "not approved"];
    li.appendChild(document.createTextNode(" (" + state.join(", ") + ")"));
    var where = "/nominations/" + encodeURIComponent(slug);
    if (n.editable) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(link(where + "/edit/?id=" + encodeURIComponent(n.id), "Edit"));
    }
    if (n.acceptable) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(link(where + "/accept/?id=" + encodeURIComponent(n.id), n.accepted ? "Change your answer" : "Accept"));
    }
    return li;
  }

  controllers["nominations-mine"] = function (main) {
    var errors = main.querySelector(".form-errors");
    var box = main.querySelector(".my-nominations");
    api("GET", "/mine").then(function (result) {
      if (failed(result, errors)) return;
      main.querySelector(".nominations-none").hidden = result.data.data.length > 0;
      result.data.data.forEach(function (part) {
        var section = document.createElement("section");
        section.className = "election-accent";
        section.setAttribute("data-accent", part.election.accent_color);
        var h2 = document.createElement("h2");
        h2.appendChild(link(safeNext(part.election.url), part.election.name));
        h2.appendChild(document.createTextNode(" — " + part.election.status));
        section.appendChild(h2);
        [["Nominations received", part.received, true], ["Nominations made", part.made, false]].forEach(function (group) {
          if (!group[1].length) return;
          var h3 = document.createElement("h3");
          h3.textContent = group[0];
          section.appendChild(h3);
          var ul = document.createElement("ul");
          group[1].forEach(function (n) { ul.appendChild(nominationRow(n, part.election, group[2])); });
          section.appendChild(ul);
        });
        box.appendChild(section);
      });
      accents();
    });
  };

  document.addEventListener("DOMContentLoaded", accents);
  P.runApp(controllers);
})();
