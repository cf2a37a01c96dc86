/* Applying to sponsor the PSF (/sponsors/application/, new/, finished/) and the sponsor dashboard
   (/users/sponsorships/...): static pages whose element with data-app names its controller here.
   Everything goes through /api/v3/sponsors/ on the same origin with the browser's session cookie
   and the CSRF header (the helpers in window.pydotorg, site.js); the API is described in
   docs/api/v3-sponsors-applications.md.

   python.org's /users/sponsorships/<pk>/, <pk>/assets/, <pk>/provided-assets/ and
   sponsor/<pk>/ are detail/?id=<pk>, assets/?id=<pk>, provided-assets/?id=<pk> and
   sponsor/?id=<pk> here: a static origin has no file per private sponsorship. */
(function () {
  "use strict";

  var P = window.pydotorg;  // the shared helpers (site.js)
  var api = P.api, go = P.go, text = P.text, link = P.link;
  var BASE = "/sponsors";
  // python.org kept the step-1 selection in the cookie sponsorship_selected_benefits; here it
  // stays in this tab's sessionStorage, and the finished page reads what step 2 left there.
  var SELECTION_KEY = "pydotorg.sponsorship.selection";
  var FINISHED_KEY = "pydotorg.sponsorship.finished";
  var MAX_CONTACTS = 5;
  var NULLABLE = ["landing_page_url", "twitter_handle", "linked_in_page_url",
    "country_of_incorporation", "state_of_incorporation"];
  var SPONSOR_FIELDS = ["description", "primary_phone", "mailing_address_line_1",
    "mailing_address_line_2", "city", "state", "postal_code"].concat(NULLABLE, ["country"]);
  var CONTACT_FLAGS = ["primary", "administrative", "accounting"];
  var STATUS_NAMES = { applied: "Applied", approved: "Approved", finalized: "Finalized", rejected: "Rejected" };

  function toLogin() {
    go(P.loginUrl());
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content != null) node.textContent = String(content);
    return node;
  }

  function show(main, selector, visible) {
    var node = main.querySelector(selector);
    if (node) node.hidden = !visible;
    return node;
  }

  function loaded(main) {
    show(main, ".sponsorship-loading", false);
  }

  function dollars(amount) {
    return "$" + String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function day(value) {
    if (!value) return "";
    var parts = value.split("-").map(Number);
    var when = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    return when.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  }

  function stored(key) {
    try {
      return JSON.parse(window.sessionStorage.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function store(key, value) {
    if (value === null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, JSON.stringify(value));
  }

  // A positive integer id from the query string, or null.
  function idParam(name) {
    var value = P.param(name);
    return value !== null && /^[1-9][0-9]{0,9}$/.test(value) ? value : null;
  }

  // A multipart request (uploads): P.api sends JSON only. Same origin, session cookie, CSRF header;
  // resolves to {ok, status, data} like P.api.
  function upload(method, path, form) {
    return fetch("/api/v3" + path, {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": P.cookie("pydotorg_csrf") },
      body: form
    }).then(function (response) {
      return response.json().then(
        function (data) { return { ok: response.ok, status: response.status, data: data }; },
        function () { return { ok: response.ok, status: response.status, data: null }; }
      );
    });
  }

  // A stored file's URL from the API (a logo, an asset): on this origin, or on the media host
  // (http(s) only, so nothing else can end up in an href).
  function fileUrl(value) {
    return /^https?:\/\//i.test(value || "") ? value : P.safeNext(value, "#");
  }

  // --- problems next to the fields -----------------------------------------------------------

  // The element that holds an API field's message: "sponsor.contacts[1].email" or
  // "contacts[1].email" is in the second contact row, "sponsor.city" is #id-sponsor-city-error.
  function slotFor(main, field) {
    var row = /^(?:sponsor\.)?contacts\[(\d+)\]\.(\w+)$/.exec(field);
    if (row) {
      var rows = main.querySelectorAll(".contact-row");
      var li = rows[Number(row[1])];
      return li ? li.querySelector('[data-error="' + row[2] + '"]') : null;
    }
    return document.getElementById("id-" + field.replace(/\./g, "-") + "-error");
  }

  function inputFor(slot) {
    if (slot.hasAttribute("data-error")) {
      return slot.parentNode.querySelector('[data-field="' + slot.getAttribute("data-error") + '"]');
    }
    return document.getElementById(slot.id.replace(/-error$/, ""));
  }

  function clearProblems(main) {
    show(main, ".form-errors", false);
    [].forEach.call(main.querySelectorAll(".field-error"), function (slot) {
      slot.hidden = true;
      slot.textContent = "";
      var input = inputFor(slot);
      if (input) input.removeAttribute("aria-invalid");
    });
  }

  // The summary above the form (with the focus), and each message next to the field it names:
  // items are [field, message] or [field, message, the name the summary gives the field].
  function showProblems(main, list) {
    clearProblems(main);
    var lines = list.map(function (item) {
      var field = item[0];
      var slot = field && slotFor(main, field);
      var message = /^Expected `str` of length >= 1$/.test(item[1]) ? "This field is required." : item[1];
      if (slot) {
        slot.textContent = message;
        slot.hidden = false;
        var input = inputFor(slot);
        if (input) input.setAttribute("aria-invalid", "true");
      }
      var name = item[2] || item[0];
      return name ? name + ": " + message : message;
    });
    P.showProblems(main.querySelector(".form-errors"), lines);
  }

  function failed(main, result) {
    loaded(main);
    if (result.status === 401) return toLogin();
    showProblems(main, P.complaints(result.data));
  }

  // --- step 1: /sponsors/application/ ----------------------------------------------------------

  function checkbox(name, benefit, index) {
    var li = el("li", "benefit-choice");
    var id = "id-" + name + "_" + index;
    var input = document.createElement("input");
    input.type = "checkbox";
    input.id = id;
    input.name = name;
    input.value = String(benefit.id);
    input.setAttribute("data-packages", benefit.packages.join(" "));
    input.setAttribute("data-conflicts", benefit.conflicts.join(" "));
    if (benefit.package_only) input.setAttribute("data-package-only", "true");
    if (!benefit.has_capacity) input.setAttribute("data-no-capacity", "true");
    input.disabled = !benefit.has_capacity || benefit.package_only;
    var label = el("label", "benefit-name" + (benefit.package_only ? " package-only" : ""), benefit.name);
    label.htmlFor = id;
    li.appendChild(input);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(label);
    if (benefit.new) li.appendChild(el("span", "benefit-new", "New"));
    if (benefit.unavailability_message) {
      li.appendChild(el("span", "benefit-note", benefit.unavailability_message));
    }
    if (benefit.description) li.appendChild(el("span", "benefit-description", benefit.description));
    return li;
  }

  function benefitList(container, name, benefits) {
    var ul = container.querySelector(".benefit-list");
    benefits.forEach(function (benefit, index) { ul.appendChild(checkbox(name, benefit, index)); });
    container.hidden = benefits.length === 0;
  }

  function buildOffer(form, offer) {
    var packages = form.querySelector(".package-choices");
    offer.packages.forEach(function (pkg, index) {
      var p = el("p", "package-choice");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "package";
      input.value = String(pkg.id);
      input.id = "id-package_" + index;
      input.setAttribute("data-cost", String(pkg.sponsorship_amount));
      var label = el("label", null, pkg.name + " (" + dollars(pkg.sponsorship_amount) + ")");
      label.htmlFor = input.id;
      p.appendChild(input);
      p.appendChild(document.createTextNode(" "));
      p.appendChild(label);
      packages.appendChild(p);
    });
    var programs = form.querySelector(".benefit-programs");
    offer.programs.forEach(function (program) {
      if (!program.benefits.length) return;
      var fieldset = el("fieldset", "benefit-program");
      fieldset.appendChild(el("legend", null, program.name));
      if (program.description) fieldset.appendChild(el("p", "field-help", program.description));
      var ul = el("ul", "benefit-list");
      program.benefits.forEach(function (benefit, index) {
        ul.appendChild(checkbox(program.field, benefit, index));
      });
      fieldset.appendChild(ul);
      programs.appendChild(fieldset);
    });
    benefitList(form.querySelector(".a-la-carte"), "a_la_carte", offer.a_la_carte);
    benefitList(form.querySelector(".standalone"), "standalone", offer.standalone);
  }

  function boxes(form, selector) {
    return [].slice.call(form.querySelectorAll(selector + " input[type=checkbox]"));
  }

  function checkedIds(list) {
    return list.filter(function (input) { return input.checked; }).map(function (input) { return Number(input.value); });
  }

  // python.org's applicationForm.js: checking a benefit unchecks the ones it conflicts with.
  function dropConflicts(form, input) {
    if (!input.checked) return;
    input.getAttribute("data-conflicts").split(" ").filter(Boolean).forEach(function (id) {
      boxes(form, "").forEach(function (other) {
        if (other.value === id && other.checked) other.checked = false;
      });
    });
  }

  function selectionOf(form) {
    var chosen = form.querySelector("input[name=package]:checked");
    return {
      package_id: chosen ? Number(chosen.value) : null,
      benefit_ids: checkedIds(boxes(form, ".benefit-programs")),
      a_la_carte_ids: checkedIds(boxes(form, ".a-la-carte")),
      standalone_ids: checkedIds(boxes(form, ".standalone"))
    };
  }

  var controllers = {};

  controllers["sponsorship-select"] = function (main) {
    var form = main.querySelector(".sponsorship-select-form");
    var cost = main.querySelector(".sponsorship-cost");
    var programBoxes = [];
    var flag = "sponsorship-applications-open";
    // waffle's testing switch (?dwft_<flag>=1|0) goes on to the API, as for psf_membership.
    var testing = P.param("dwft_" + flag);
    var query = testing === null ? "" : "?dwft_" + flag + "=" + encodeURIComponent(testing);
    api("GET", "/flags/" + flag + "/active" + query).then(function (result) {
      var on = result.ok && result.data && result.data.active === true;
      if (!on) {
        loaded(main);
        show(main, ".sponsorship-closed", true);
        return null;
      }
      return api("GET", BASE + "/offer").then(function (offer) {
        loaded(main);
        if (!offer.ok) return showProblems(main, P.complaints(offer.data));
        buildOffer(form, offer.data);
        programBoxes = boxes(form, ".benefit-programs");
        restore(stored(SELECTION_KEY));
        show(main, ".flag-on", true);
      });
    });

    // A package pre-checks its benefits (those with capacity) and enables its package-only ones.
    function pickPackage(radio) {
      var pkg = radio.value;
      programBoxes.forEach(function (input) {
        input.checked = false;
        if (input.hasAttribute("data-package-only")) input.disabled = true;
      });
      programBoxes.forEach(function (input) {
        var inPackage = input.getAttribute("data-packages").split(" ").indexOf(pkg) >= 0;
        if (!inPackage || input.hasAttribute("data-no-capacity")) return;
        input.disabled = false;
        input.checked = true;
        dropConflicts(form, input);
      });
      text(cost, "Sponsorship cost is " + dollars(radio.getAttribute("data-cost")) + " USD");
    }

    function restore(selection) {
      if (!selection || !selection.ids) return;
      var ids = selection.ids;
      var radio = ids.package_id && form.querySelector('input[name=package][value="' + ids.package_id + '"]');
      if (radio) {
        radio.checked = true;
        pickPackage(radio);
      }
      var wanted = [].concat(ids.benefit_ids, ids.a_la_carte_ids, ids.standalone_ids).map(String);
      boxes(form, "").forEach(function (input) {
        var on = wanted.indexOf(input.value) >= 0;
        if (on && input.hasAttribute("data-package-only") && !input.hasAttribute("data-no-capacity")) {
          input.disabled = false;
        }
        input.checked = on && !input.disabled;
      });
      if (selection.answer && selection.answer.customized) {
        text(cost, "Please submit your customized sponsorship package application and we'll contact you within 2 business days.");
      }
    }

    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name === "package") return pickPackage(target);
      if (target.type !== "checkbox") return;
      text(cost, "Please submit your customized sponsorship package application and we'll contact you within 2 business days.");
      dropConflicts(form, target);
    });

    main.querySelector(".clear-selection").addEventListener("click", function () {
      [].forEach.call(form.querySelectorAll("input[name=package]"), function (radio) { radio.checked = false; });
      boxes(form, "").forEach(function (input) {
        input.checked = false;
        if (input.hasAttribute("data-package-only")) input.disabled = true;
      });
      text(cost, "");
      clearProblems(main);
      store(SELECTION_KEY, null);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var ids = selectionOf(form);
      api("POST", BASE + "/applications/validate", ids).then(function (result) {
        if (!result.ok) return showProblems(main, P.complaints(result.data));
        store(SELECTION_KEY, { ids: ids, answer: result.data });
        // Step 2 sends an anonymous visitor to log in and back (?next=).
        go("/sponsors/application/new/");
      });
    });
  };

  // --- contacts (step 2 and the sponsor page) -------------------------------------------------

  function contactRows(main) {
    var list = main.querySelector(".contact-rows");
    var template = main.querySelector(".contact-template");
    var addButton = main.querySelector(".add-contact");
    var made = 0;

    function refresh() {
      var rows = list.querySelectorAll(".contact-row");
      addButton.disabled = rows.length >= MAX_CONTACTS;
      [].forEach.call(rows, function (row, index) {
        row.querySelector(".remove-contact").disabled = rows.length <= 1;
        row.setAttribute("aria-label", "Contact " + (index + 1));
      });
    }

    function add(contact) {
      var row = template.content.firstElementChild.cloneNode(true);
      var n = made++;
      [].forEach.call(row.querySelectorAll("[data-field]"), function (input) {
        var name = input.getAttribute("data-field");
        input.id = "id-contact-" + n + "-" + name;
        var error = row.querySelector('[data-error="' + name + '"]');
        if (error) {
          error.id = input.id + "-error";
          input.setAttribute("aria-describedby", error.id);
        }
        if (!contact) return;
        if (input.type === "checkbox") input.checked = !!contact[name];
        else input.value = contact[name] == null ? "" : String(contact[name]);
      });
      [].forEach.call(row.querySelectorAll("label[data-for]"), function (label) {
        label.htmlFor = "id-contact-" + n + "-" + label.getAttribute("data-for");
      });
      row.querySelector(".remove-contact").addEventListener("click", function () {
        row.parentNode.removeChild(row);
        refresh();
        addButton.focus();
      });
      list.appendChild(row);
      refresh();
      return row;
    }

    addButton.addEventListener("click", function () {
      add(null).querySelector('[data-field="name"]').focus();
    });

    function values() {
      return [].map.call(list.querySelectorAll(".contact-row"), function (row) {
        function field(name) { return row.querySelector('[data-field="' + name + '"]'); }
        var contact = {
          name: field("name").value.trim(),
          email: field("email").value.trim(),
          phone: field("phone").value.trim()
        };
        CONTACT_FLAGS.forEach(function (name) { contact[name] = field(name).checked; });
        if (field("id").value) contact.id = Number(field("id").value);
        return contact;
      });
    }

    function reset(contacts) {
      list.textContent = "";
      contacts.forEach(add);
    }

    return { add: add, values: values, reset: reset };
  }

  // The sponsor's own fields as the API takes them: blank optional links and codes are null.
  function sponsorValues(scope, prefix) {
    var body = {};
    SPONSOR_FIELDS.forEach(function (name) {
      var value = document.getElementById("id-" + prefix + name).value.trim();
      body[name] = value === "" && NULLABLE.indexOf(name) >= 0 ? null : value;
    });
    return body;
  }

  function fillSponsor(prefix, sponsor) {
    SPONSOR_FIELDS.forEach(function (name) {
      document.getElementById("id-" + prefix + name).value = sponsor[name] == null ? "" : sponsor[name];
    });
  }

  function chosenFile(id) {
    var input = document.getElementById(id);
    return input && input.files && input.files.length ? input.files[0] : null;
  }

  // --- step 2: /sponsors/application/new/ -------------------------------------------------------

  function listNames(ul, benefits) {
    ul.textContent = "";
    benefits.forEach(function (benefit) {
      ul.appendChild(el("li", null, benefit.name + (benefit.program_name ? " (" + benefit.program_name + ")" : "")));
    });
  }

  function showSelection(main, answer) {
    text(main.querySelector(".summary-package"), answer.package ? answer.package.name : "None (standalone benefits)");
    listNames(main.querySelector(".summary-package-benefits"), answer.package_benefits);
    listNames(main.querySelector(".summary-added-benefits"), answer.added_benefits);
    show(main, ".summary-added", answer.added_benefits.length > 0);
    text(main.querySelector(".summary-price"), answer.price !== null
      ? "Sponsorship cost is " + dollars(answer.price) + " USD"
      : "This is a customized sponsorship: the PSF will contact you about its price within 2 business days.");
    show(main, ".sponsorship-summary", true);
  }

  controllers["sponsorship-new"] = function (main) {
    var selection = stored(SELECTION_KEY);
    if (!selection || !selection.ids || !selection.answer) return go("/sponsors/application/");
    var form = main.querySelector(".sponsorship-new-form");
    var chooser = form.querySelector("#id-sponsor_id");
    var contacts = contactRows(main);
    var me = null;
    api("GET", "/users/me").then(function (who) {
      if (who.status === 401 || (who.ok && !who.data)) return toLogin();
      if (!who.ok) return failed(main, who);
      me = who.data;
      return api("GET", BASE + "/me/sponsors").then(function (result) {
        if (!result.ok) return failed(main, result);
        loaded(main);
        result.data.data.forEach(function (sponsor) {
          var option = el("option", null, sponsor.name + (sponsor.application_in_progress ? " (application in progress)" : ""));
          option.value = String(sponsor.id);
          chooser.appendChild(option);
        });
        show(main, ".sponsor-choice", result.data.data.length > 0);
        showSelection(main, selection.answer);
        var first = contacts.add(null);
        first.querySelector('[data-field="primary"]').checked = true;
        form.hidden = false;
      });
    });

    chooser.addEventListener("change", function () {
      show(main, ".new-sponsor", chooser.value === "");
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var application = {
        package_id: selection.ids.package_id,
        benefit_ids: selection.ids.benefit_ids,
        a_la_carte_ids: selection.ids.a_la_carte_ids,
        standalone_ids: selection.ids.standalone_ids
      };
      var body = new FormData();
      var newContacts = [];
      if (chooser.value) {
        application.sponsor_id = Number(chooser.value);
      } else {
        var sponsor = sponsorValues(form, "sponsor-");
        sponsor.name = document.getElementById("id-sponsor-name").value.trim();
        newContacts = contacts.values();
        sponsor.contacts = newContacts;
        application.sponsor = sponsor;
        ["web_logo", "white_logo", "print_logo"].forEach(function (name) {
          var file = chosenFile("id-" + name);
          if (file) body.append(name, file);
        });
      }
      body.append("application", JSON.stringify(application));
      upload("POST", BASE + "/applications", body).then(function (result) {
        if (result.status === 401) return toLogin();
        if (!result.ok) return showProblems(main, P.complaints(result.data));
        // The API answers with the addresses it mailed the confirmation to.
        store(FINISHED_KEY, { detail: result.data, notified: result.data.notified });
        store(SELECTION_KEY, null);
        go("/sponsors/application/finished/");
      });
    });
  };

  // --- /sponsors/application/finished/ --------------------------------------------------------

  function englishList(items) {
    if (items.length < 2) return items.join("");
    return items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  }

  controllers["sponsorship-finished"] = function (main) {
    loaded(main);
    var finished = stored(FINISHED_KEY);
    if (!finished || !finished.detail) return show(main, ".sponsorship-nothing", true);
    var s = finished.detail.sponsorship;
    text(main.querySelector(".notified"), englishList(finished.notified || []));
    text(main.querySelector(".finished-sponsor"), s.sponsor ? s.sponsor.name : "");
    text(main.querySelector(".finished-package"), s.level_name +
      (s.agreed_fee !== null ? " (" + dollars(s.agreed_fee) + " USD)" : " (customized)"));
    var ul = main.querySelector(".finished-benefits");
    finished.detail.benefits.forEach(function (benefit) {
      ul.appendChild(el("li", null, benefit.name_for_display + (benefit.added_by_user ? " (added)" : "")));
    });
    main.querySelector(".finished-link").href = "/users/sponsorships/detail/?id=" + encodeURIComponent(s.id);
    show(main, ".sponsorship-finished", true);
  };

  // --- the dashboard: /users/sponsorships/ -----------------------------------------------------

  function sponsorshipItem(s) {
    var li = el("li", "sponsorship-item");
    var label = (s.sponsor ? s.sponsor.name : "(no sponsor)") + " — " + (s.level_name || "Custom") +
      (s.year ? " (" + s.year + ")" : "");
    li.appendChild(link("/users/sponsorships/detail/?id=" + encodeURIComponent(s.id), label));
    var when = s.is_active && s.end_date ? "until " + day(s.end_date) : "applied on " + day(s.applied_on);
    li.appendChild(el("span", "sponsorship-when", " " + STATUS_NAMES[s.status] + ", " + when));
    return li;
  }

  controllers["sponsorship-list"] = function (main) {
    var all = [];
    var more = main.querySelector(".sponsorship-more");
    function page(offset) {
      return api("GET", BASE + "/me/sponsorships?limit=100&offset=" + offset).then(function (result) {
        if (!result.ok) return failed(main, result);
        loaded(main);
        all = all.concat(result.data.data);
        more.hidden = all.length >= result.data.meta.total;
        render();
      });
    }
    // python.org's list: the active sponsorships first, then the others by status.
    function render() {
      var groups = main.querySelector(".sponsorship-groups");
      groups.textContent = "";
      var spec = [["Active", function (s) { return s.is_active; }]].concat(
        ["applied", "approved", "finalized"].map(function (status) {
          return [STATUS_NAMES[status], function (s) { return !s.is_active && s.status === status; }];
        }));
      spec.forEach(function (group) {
        var members = all.filter(group[1]);
        if (!members.length) return;
        var section = el("section", "sponsorship-group");
        section.appendChild(el("h2", null, group[0]));
        var ul = el("ul", "sponsorship-list");
        members.forEach(function (s) { ul.appendChild(sponsorshipItem(s)); });
        section.appendChild(ul);
        groups.appendChild(section);
      });
      groups.hidden = all.length === 0;
      show(main, ".sponsorship-none", all.length === 0);
    }
    more.querySelector("button").addEventListener("click", function () { page(all.length); });
    page(0);
  };

  // One sponsorship the caller may see, or the "not found" state (a 404 or a bad id).
  function withSponsorship(main, then) {
    var id = idParam("id");
    function missing() {
      loaded(main);
      show(main, ".sponsorship-not-found", true);
    }
    if (id === null) return missing();
    api("GET", BASE + "/me/sponsorships/" + id).then(function (result) {
      if (result.status === 404) return missing();
      if (!result.ok) return failed(main, result);
      loaded(main);
      then(result.data, id);
    });
  }

  function assetStatus(asset) {
    if (asset.fulfilled) return " (Fulfilled, thank you!)";
    return asset.due_date ? " (Required by " + day(asset.due_date) + ")" : "";
  }

  function assetValue(asset) {
    if (asset.value === null) return null;
    if (asset.kind === "required_img_asset") return link(fileUrl(asset.value), "the image you provided");
    if (asset.kind === "required_response_asset") return el("span", null, asset.value === "YES" ? "Yes" : "No");
    return el("span", "asset-text", asset.value);
  }

  controllers["sponsorship-detail"] = function (main) {
    withSponsorship(main, function (detail, id) {
      var s = detail.sponsorship;
      document.title = "Sponsorship of " + (s.sponsor ? s.sponsor.name : "") + " | Python.org";
      text(main.querySelector(".detail-sponsor"), s.sponsor ? s.sponsor.name : "");
      text(main.querySelector(".detail-status"), STATUS_NAMES[s.status] + (s.is_active ? " (active)" : ""));
      text(main.querySelector(".detail-level"), (s.level_name || "") + (s.for_modified_package ? " (customized)" : ""));
      text(main.querySelector(".detail-year"), s.year || "");
      text(main.querySelector(".detail-fee"), s.agreed_fee !== null ? dollars(s.agreed_fee) + " USD" : "To be agreed");
      text(main.querySelector(".detail-applied"), day(s.applied_on));
      text(main.querySelector(".detail-period"), s.start_date && s.end_date
        ? day(s.start_date) + " to " + day(s.end_date) : "Not set yet");
      var benefits = main.querySelector(".detail-benefits");
      detail.benefits.forEach(function (b) {
        var li = el("li", null, b.name_for_display);
        if (b.program_name) li.appendChild(el("span", "benefit-program-name", " (" + b.program_name + ")"));
        if (b.added_by_user) li.appendChild(el("span", "benefit-added", " added by you"));
        benefits.appendChild(li);
      });
      var assetsUrl = "/users/sponsorships/assets/?id=" + id;
      var pending = detail.required_assets.filter(function (a) { return !a.fulfilled; });
      var done = detail.required_assets.filter(function (a) { return a.fulfilled; });
      var pendingList = main.querySelector(".detail-pending-list");
      pending.forEach(function (a) {
        var li = el("li");
        li.appendChild(link(assetsUrl + "&required_asset=" + a.id, a.label));
        li.appendChild(document.createTextNode(assetStatus(a)));
        pendingList.appendChild(li);
      });
      var doneList = main.querySelector(".detail-fulfilled-list");
      done.forEach(function (a) {
        var li = el("li", null, a.label + ": ");
        li.appendChild(assetValue(a));
        doneList.appendChild(li);
      });
      show(main, ".detail-pending", pending.length > 0);
      show(main, ".detail-fulfilled", done.length > 0);
      show(main, ".detail-no-required", detail.required_assets.length === 0);
      show(main, ".detail-assets-link", detail.required_assets.length > 0).querySelector("a").href = assetsUrl;
      show(main, ".detail-no-provided", detail.provided_assets.length === 0);
      show(main, ".detail-provided-link", detail.provided_assets.length > 0).querySelector("a").href =
        "/users/sponsorships/provided-assets/?id=" + id;
      var sponsorLink = main.querySelector(".detail-sponsor-link");
      if (s.sponsor) sponsorLink.href = "/users/sponsorships/sponsor/?id=" + s.sponsor.id;
      else sponsorLink.hidden = true;
      show(main, ".sponsorship-detail", true);
    });
  };

  // --- /users/sponsorships/assets/ -------------------------------------------------------------

  // One field per required asset (python.org's SponsorRequiredAssetsForm): a text input up to 256
  // characters, a textarea beyond (or without a limit), yes/no radios, an image upload.
  function assetField(asset) {
    var id = "id-asset-" + asset.id;
    var box = el("div", "asset-field");
    box.setAttribute("data-asset", String(asset.id));
    var helpId = id + "-help", errorId = id + "-error";
    var described = (asset.help_text ? helpId + " " : "") + errorId;
    var title = asset.label + assetStatus(asset);
    var input;
    if (asset.kind === "required_response_asset") {
      var fieldset = el("fieldset", "asset-response");
      fieldset.appendChild(el("legend", null, title));
      [["YES", "Yes"], ["NO", "No"]].forEach(function (choice) {
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "asset-" + asset.id;
        radio.value = choice[0];
        radio.id = id + "-" + choice[0].toLowerCase();
        radio.checked = asset.value === choice[0];
        radio.setAttribute("aria-describedby", described);
        var label = el("label", null, " " + choice[1]);
        label.insertBefore(radio, label.firstChild);
        fieldset.appendChild(label);
      });
      box.appendChild(fieldset);
    } else {
      var label = el("label", null, title);
      label.htmlFor = id;
      box.appendChild(label);
      if (asset.kind === "required_img_asset") {
        input = document.createElement("input");
        input.type = "file";
        input.accept = ".png,.jpg,.jpeg,.gif,.webp";
        if (asset.value) {
          var current = el("p", "asset-current", "Current: ");
          current.appendChild(link(fileUrl(asset.value), "the image you provided"));
          box.appendChild(current);
        }
      } else if (asset.max_length && asset.max_length <= 256) {
        input = document.createElement("input");
        input.maxLength = asset.max_length;
        input.value = asset.value || "";
      } else {
        input = document.createElement("textarea");
        input.rows = 6;
        if (asset.max_length) input.maxLength = asset.max_length;
        input.value = asset.value || "";
      }
      input.id = id;
      input.name = "asset-" + asset.id;
      input.setAttribute("aria-describedby", described);
      box.appendChild(input);
    }
    var limits = [];
    if (asset.min_width) limits.push("at least " + asset.min_width + " pixels wide");
    if (asset.max_width) limits.push("at most " + asset.max_width + " pixels wide");
    if (asset.min_height) limits.push("at least " + asset.min_height + " pixels high");
    if (asset.max_height) limits.push("at most " + asset.max_height + " pixels high");
    var help = asset.help_text + (limits.length ? (asset.help_text ? " " : "") + "The image must be " + limits.join(", ") + "." : "");
    if (help) {
      var helpEl = el("span", "field-help", help);
      helpEl.id = helpId;
      box.appendChild(helpEl);
      if (!asset.help_text) {
        (input || box.querySelector("input")).setAttribute("aria-describedby", helpId + " " + errorId);
      }
    }
    var error = el("span", "field-error");
    error.id = errorId;
    error.hidden = true;
    box.appendChild(error);
    return box;
  }

  // What a field sends, or null when it has nothing new.
  function assetChange(form, asset) {
    var name = "asset-" + asset.id;
    if (asset.kind === "required_response_asset") {
      var radio = form.querySelector('input[name="' + name + '"]:checked');
      return radio && radio.value !== asset.value ? { response: radio.value } : null;
    }
    var input = form.querySelector('[name="' + name + '"]');
    if (asset.kind === "required_img_asset") return input.files.length ? input.files[0] : null;
    var value = input.value.trim();
    return value && value !== asset.value ? { text: value } : null;
  }

  controllers["sponsorship-assets"] = function (main) {
    var sid = null;
    var assets = [];
    var saved = main.querySelector(".form-done");
    function render(detail) {
      var s = detail.sponsorship;
      text(main.querySelector(".assets-sponsor"), s.sponsor ? s.sponsor.name : "");
      text(main.querySelector(".assets-level"), s.level_name);
      main.querySelector(".assets-back").href = "/users/sponsorships/detail/?id=" + sid;
      var only = idParam("required_asset");
      assets = detail.required_assets.filter(function (a) { return only === null || String(a.id) === only; });
      var holder = main.querySelector(".assets-forms");
      holder.textContent = "";
      show(main, ".assets-none", assets.length === 0);
      if (!assets.length) return;
      var form = el("form", "stacked-form sponsorship-assets-form");
      form.noValidate = true;
      assets.forEach(function (asset) { form.appendChild(assetField(asset)); });
      var p = el("p");
      var submit = el("button", "button button-primary", "Submit");
      submit.type = "submit";
      p.appendChild(submit);
      form.appendChild(p);
      form.addEventListener("submit", submitAssets);
      holder.appendChild(form);
    }

    // One PUT per changed field, in order; the messages end up next to their fields.
    function submitAssets(event) {
      event.preventDefault();
      var form = event.target;
      saved.hidden = true;
      var problems = [];
      var chain = Promise.resolve();
      var changed = 0;
      assets.forEach(function (asset) {
        var change = assetChange(form, asset);
        if (change === null) return;
        changed += 1;
        chain = chain.then(function () {
          var path = BASE + "/me/sponsorships/" + sid + "/assets/" + asset.id;
          var request;
          if (asset.kind === "required_img_asset") {
            var body = new FormData();
            body.append("file", change);
            request = upload("PUT", path + "/image", body);
          } else {
            request = api("PUT", path, change);
          }
          return request.then(function (result) {
            if (result.status === 401) throw new Error("login");
            if (!result.ok) {
              P.complaints(result.data).forEach(function (item) {
                problems.push(["asset-" + asset.id, item[1], asset.label]);
              });
            }
          });
        });
      });
      if (!changed) return showProblems(main, [["", "Nothing to save: fill in a field first."]]);
      chain.then(function () {
        return api("GET", BASE + "/me/sponsorships/" + sid).then(function (result) {
          if (!result.ok) return failed(main, result);
          render(result.data);
          if (problems.length) return showProblems(main, problems);
          clearProblems(main);
          saved.hidden = false;
          saved.focus();
        });
      }).catch(toLogin);
    }

    withSponsorship(main, function (detail, id) {
      sid = id;
      render(detail);
      show(main, ".sponsorship-assets", true);
    });
  };

  // --- /users/sponsorships/provided-assets/ ----------------------------------------------------

  controllers["sponsorship-provided"] = function (main) {
    withSponsorship(main, function (detail, id) {
      var s = detail.sponsorship;
      text(main.querySelector(".provided-sponsor"), s.sponsor ? s.sponsor.name : "");
      main.querySelector(".provided-back").href = "/users/sponsorships/detail/?id=" + id;
      var only = idParam("provided_asset");
      var list = detail.provided_assets.filter(function (a) { return only === null || String(a.id) === only; });
      var dl = main.querySelector(".provided-list");
      list.forEach(function (asset) {
        dl.appendChild(el("dt", null, asset.label));
        var dd = el("dd");
        if (asset.kind === "provided_file_asset") dd.appendChild(link(fileUrl(asset.value), "Download the file"));
        else dd.appendChild(el("span", "asset-text", asset.value));
        if (asset.help_text) dd.appendChild(el("span", "field-help", asset.help_text));
        dl.appendChild(dd);
      });
      show(main, ".provided-none", list.length === 0);
      show(main, ".sponsorship-provided", true);
    });
  };

  // --- /users/sponsorships/sponsor/?id= and sponsor/edit/ -------------------------------------

  var LOGOS = ["web_logo", "white_logo", "print_logo"];

  function showLogos(main, sponsor) {
    LOGOS.forEach(function (name) {
      var holder = main.querySelector('.current-logo[data-logo="' + name + '"]');
      holder.textContent = "";
      var url = sponsor[name + "_url"];
      if (url) {
        holder.appendChild(document.createTextNode("Current: "));
        holder.appendChild(link(fileUrl(url), sponsor[name].split("/").pop()));
        holder.appendChild(document.createTextNode(". Replace it:"));
      }
    });
  }

  controllers["sponsorship-sponsor"] = function (main) {
    var form = main.querySelector(".sponsor-edit-form");
    var saved = main.querySelector(".form-done");
    var contacts = contactRows(main);
    var id = idParam("id");
    function fill(sponsor) {
      form.name.value = sponsor.name;
      fillSponsor("", sponsor);
      contacts.reset(sponsor.contacts);
      showLogos(main, sponsor);
      LOGOS.forEach(function (name) { document.getElementById("id-" + name).value = ""; });
    }
    function missing() {
      loaded(main);
      show(main, ".sponsorship-not-found", true);
    }
    if (id === null) return missing();
    api("GET", BASE + "/sponsors/" + id).then(function (result) {
      if (result.status === 404) return missing();
      if (!result.ok) return failed(main, result);
      loaded(main);
      fill(result.data);
      form.hidden = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      saved.hidden = true;
      var body = sponsorValues(form, "");
      body.contacts = contacts.values();
      api("PATCH", BASE + "/sponsors/" + id, body).then(function (result) {
        if (!result.ok) return failed(main, result);
        // Then each logo chosen, one request each; the first refusal stops there.
        var chain = Promise.resolve(result);
        LOGOS.forEach(function (name) {
          var file = chosenFile("id-" + name);
          if (!file) return;
          chain = chain.then(function (previous) {
            if (!previous.ok) return previous;
            var data = new FormData();
            data.append("file", file);
            return upload("PUT", BASE + "/sponsors/" + id + "/logos/" + name, data).then(function (r) {
              if (!r.ok && r.data && r.data.extra && r.data.extra.file) {
                var extra = {};
                extra[name] = r.data.extra.file;
                r.data.extra = extra;
              }
              return r;
            });
          });
        });
        return chain.then(function (last) {
          if (!last.ok) return failed(main, last);
          clearProblems(main);
          fill(last.data);
          saved.hidden = false;
          saved.focus();
        });
      });
    });
  };

  // python.org's /users/sponsorships/sponsor/edit/: straight to the sponsor's page when the
  // visitor is a contact of one, a chooser for several, a message for none.
  controllers["sponsorship-sponsor-choose"] = function (main) {
    api("GET", BASE + "/me/sponsors").then(function (result) {
      if (!result.ok) return failed(main, result);
      var sponsors = result.data.data;
      if (sponsors.length === 1) return go("/users/sponsorships/sponsor/?id=" + sponsors[0].id);
      loaded(main);
      if (!sponsors.length) return show(main, ".sponsor-none", true);
      var ul = main.querySelector(".sponsor-choice-list");
      sponsors.forEach(function (sponsor) {
        var li = el("li");
        li.appendChild(link("/users/sponsorships/sponsor/?id=" + sponsor.id, sponsor.name));
        ul.appendChild(li);
      });
      show(main, ".sponsor-choices", true);
    });
  };

  P.runApp(controllers);
})();
