/* /manage/: the editors' console (issue 20; sitebuilder/sections/manage.py). The page is the
   same static file for everyone; everything here comes from /api/v3/ on this origin, with the
   session cookie and the CSRF header (window.pydotorg in site.js):

   - GET /api/v3/users/me says who is looking: nobody (a link to log in and come back), someone
     who is not staff ("You do not have access to the console." and nothing else is asked for),
     or a staff member, who sees the resources their permissions allow;
   - the forms are built from the OpenAPI document the API serves (/api/schema/openapi.json): one
     input per field of the create / update schema, by type;
   - markup fields show a live preview rendered by POST /api/v3/markup/render, the renderer the
     API stores *_html with;
   - a save sends If-Match with the ETag of the record's GET, so an edit never overwrites someone
     else's (412: "changed by someone else; reload").

   The view is in the URL's fragment (#pages, #pages?q=about, #pages/12, #pages/new,
   #pages/12/history, #queue/jobs, #queue/events), so the back button and bookmarks work. */
(function () {
  "use strict";
  var P = window.pydotorg;
  var API = "/api/v3";
  var PAGE_SIZE = 20;
  var PREVIEW_DELAY = 400; // ms of quiet typing before the preview is asked for

  // What the console edits. list/item: the API paths; perms: who sees it (any of them); publish:
  // the field a Publish / Unpublish button sets; feed: the change feed's (domain, kind) for the
  // record's history; preview: the draft preview type (POST /api/v3/previews); changes: whether
  // that preview takes the form's unsaved changes.
  var RESOURCES = [
    { key: "pages", label: "Pages", one: "page", list: "/pages", item: "/pages/{id}",
      perms: ["pages.add_page", "pages.change_page", "pages.delete_page"],
      publish: { field: "is_published", on: true, off: false }, feed: ["pages", "page"], preview: "page", changes: true },
    { key: "releases", label: "Releases", one: "release", list: "/downloads/releases", item: "/downloads/releases/{id}",
      perms: ["downloads.add_release", "downloads.change_release", "downloads.delete_release"],
      publish: { field: "is_published", on: true, off: false }, feed: ["downloads", "release"], preview: "release", changes: true },
    { key: "events", label: "Events", one: "event", list: "/events", item: "/events/{id}",
      perms: ["events.add_event", "events.change_event", "events.delete_event"],
      feed: ["events", "event"], preview: "event" },
    { key: "jobs", label: "Jobs", one: "job", list: "/jobs/moderate", item: "/jobs/{id}", create: "/jobs",
      perms: ["jobs.moderate"], feed: ["jobs", "job"], preview: "job" },
    { key: "boxes", label: "Boxes", one: "box", list: "/boxes", item: "/boxes/{id}",
      perms: ["boxes.add_box", "boxes.change_box", "boxes.delete_box"], feed: ["boxes", "box"] },
    { key: "banners", label: "Banners", one: "banner", list: "/banners", item: "/banners/{id}",
      perms: ["banners.add_banner", "banners.change_banner", "banners.delete_banner"],
      publish: { field: "active", on: true, off: false }, feed: ["banners", "banner"] },
    { key: "codesamples", label: "Code samples", one: "code sample", list: "/codesamples", item: "/codesamples/{id}",
      perms: ["codesamples.add_codesample", "codesamples.change_codesample", "codesamples.delete_codesample"],
      publish: { field: "is_published", on: true, off: false }, feed: ["codesamples", "sample"] },
    { key: "stories", label: "Success stories", one: "success story", list: "/success-stories",
      item: "/success-stories/{id}",
      perms: ["successstories.add_story", "successstories.change_story", "successstories.delete_story"],
      publish: { field: "is_published", on: true, off: false }, feed: ["successstories", "story"], preview: "story", changes: true },
    { key: "minutes", label: "Board minutes", one: "minutes", list: "/minutes", item: "/minutes/{id}",
      perms: ["minutes.add_minutes", "minutes.change_minutes", "minutes.delete_minutes"],
      publish: { field: "is_published", on: true, off: false }, feed: ["minutes", "minutes"] },
    { key: "community", label: "Community posts", one: "community post", list: "/community/posts",
      item: "/community/posts/{id}",
      perms: ["community.add_post", "community.change_post", "community.delete_post"],
      publish: { field: "status", on: 2, off: 1 }, feed: ["community", "post"] }
  ];
  var QUEUES = [
    { key: "jobs", label: "Jobs awaiting review", perms: ["jobs.moderate"] },
    { key: "events", label: "Event submissions", perms: ["events.view_submission", "events.add_event"],
      needs: "/api/v3/events/submissions/{submission_id}/accept" }
  ];
  var TITLE_FIELDS = ["title", "name", "job_title", "label", "display_name", "path", "date", "message"];

  var state = { me: null, spec: null, main: null, view: null, seq: 0 };

  // ---- HTTP ------------------------------------------------------------------------------------

  // One call to /api/v3/ (site.js's pydotorg.api, plus the ETag: saves send it back as If-Match).
  function call(method, path, body, etag) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = P.cookie("pydotorg_csrf");
    if (etag) headers["If-Match"] = etag;
    return fetch(API + path, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      var tag = response.headers.get("ETag");
      if (response.status === 204) return { ok: true, status: 204, data: null, etag: tag };
      return response.json().then(
        function (data) { return { ok: response.ok, status: response.status, data: data, etag: tag }; },
        function () { return { ok: response.ok, status: response.status, data: null, etag: tag }; }
      );
    });
  }

  function path(template, id) {
    return template.replace("{id}", encodeURIComponent(id));
  }

  function query(params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      if (params[k] !== "" && params[k] != null) q.set(k, params[k]);
    });
    var s = q.toString();
    return s ? "?" + s : "";
  }

  // ---- small DOM helpers -----------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === false || v == null) return;
      if (k === "text") node.textContent = v;
      else if (k === "className") node.className = v;
      else if (k === "hidden") node.hidden = !!v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    [].concat(children || []).forEach(function (c) {
      if (c != null) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function button(label, onClick, className) {
    var b = el("button", { type: "button", className: "button" + (className ? " " + className : ""), text: label });
    b.addEventListener("click", onClick);
    return b;
  }

  function words(name) {
    var s = String(name).replace(/_/g, " ").trim();
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function status(message) {
    P.text(state.main.querySelector(".manage-status"), message);
  }

  function fail(list) {
    P.showProblems(state.main.querySelector(".manage-error"), list);
  }

  function clearError() {
    var box = state.main.querySelector(".manage-error");
    box.hidden = true;
    box.textContent = "";
  }

  function can(perms) {
    var me = state.me;
    if (me.is_superuser) return true;
    return perms.some(function (p) { return me.permissions.indexOf(p) >= 0; });
  }

  function titleOf(record) {
    for (var i = 0; i < TITLE_FIELDS.length; i++) {
      var v = record[TITLE_FIELDS[i]];
      if (v) return String(v);
    }
    return "#" + record.id;
  }

  // ---- the OpenAPI document --------------------------------------------------------------------

  function deref(schema) {
    var seen = 0;
    while (schema && schema.$ref && seen++ < 10) {
      schema = state.spec.components.schemas[schema.$ref.split("/").pop()];
    }
    return schema || {};
  }

  // A property's schema as the form needs it: {type, format, enum, nullable, maxLength, items}.
  function field(schema) {
    schema = deref(schema);
    var alts = schema.oneOf || schema.anyOf;
    var out = { nullable: false };
    if (alts) {
      alts.forEach(function (alt) {
        alt = deref(alt);
        if (alt.type === "null") out.nullable = true;
        else if (!out.type) Object.assign(out, alt);
      });
      ["maxLength", "description", "enum", "pattern"].forEach(function (k) {
        if (schema[k] !== undefined && out[k] === undefined) out[k] = schema[k];
      });
      return out;
    }
    Object.assign(out, schema);
    if (Array.isArray(schema.type)) {
      out.nullable = schema.type.indexOf("null") >= 0;
      out.type = schema.type.filter(function (t) { return t !== "null"; })[0];
    }
    if (out.enum) out.enum = out.enum.filter(function (v) { return v !== null; });
    return out;
  }

  function operation(method, apiPath) {
    var entry = state.spec.paths[API + apiPath];
    return entry && entry[method];
  }

  // The path in the spec for a resource's item (its parameter has the resource's own name).
  function itemSpecPath(resource) {
    var prefix = API + resource.item.replace("{id}", "");
    var keys = Object.keys(state.spec.paths).filter(function (k) {
      return k.indexOf(prefix) === 0 && /^\{[a-z_]+\}$/.test(k.slice(prefix.length));
    });
    return keys[0] ? keys[0].slice(API.length) : null;
  }

  function bodySchema(op) {
    var content = op && op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    return content ? deref(content.schema) : null;
  }

  function hasPath(specPath) {
    return !!state.spec.paths[specPath];
  }

  // ---- start -----------------------------------------------------------------------------------

  function start(main) {
    state.main = main;
    var login = main.querySelector(".manage-login");
    function anonymous() {
      status("");
      main.querySelector(".manage-login-link").href = "/accounts/login/?next=" + encodeURIComponent("/manage/");
      login.hidden = false;
    }
    if (!P.maybeLoggedIn()) return anonymous();
    call("GET", "/users/me").then(function (result) {
      if (result.status === 401 || !result.data) return anonymous();
      var me = result.data;
      if (!me.is_active || !(me.is_staff || me.is_superuser)) {
        status("");
        main.querySelector(".manage-denied").hidden = false;
        return;
      }
      state.me = me;
      return fetch("/api/schema/openapi.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("spec " + r.status); return r.json(); })
        .then(function (spec) {
          state.spec = spec;
          buildNav();
          main.querySelector(".manage-console").hidden = false;
          window.addEventListener("hashchange", route);
          route();
        });
    }).catch(function () {
      status("");
      fail(["The console could not reach the API. Please reload the page."]);
    });
  }

  function buildNav() {
    var list = state.main.querySelector(".manage-resources");
    RESOURCES.forEach(function (r) {
      if (!can(r.perms) || !operation("get", r.list)) return;
      list.appendChild(el("li", {}, el("a", { href: "#" + r.key, "data-nav": r.key, text: r.label })));
    });
    var queues = state.main.querySelector(".manage-queues");
    QUEUES.forEach(function (q) {
      if (!can(q.perms) || (q.needs && !hasPath(q.needs))) return;
      queues.appendChild(el("li", {}, el("a", { href: "#queue/" + q.key, "data-nav": "queue/" + q.key, text: q.label })));
    });
    state.main.querySelector(".manage-queues-title").hidden = !queues.children.length;
    if (!list.children.length && !queues.children.length) {
      status("");
      state.main.querySelector(".manage-view-title").textContent = "Nothing to manage";
      state.main.querySelector(".manage-body").appendChild(
        el("p", { text: "Your account has no permission for any of the console's resources." }));
    }
  }

  // ---- routing ---------------------------------------------------------------------------------

  function parseHash() {
    var hash = window.location.hash.replace(/^#/, "");
    var q = hash.indexOf("?");
    var params = new URLSearchParams(q >= 0 ? hash.slice(q + 1) : "");
    var parts = (q >= 0 ? hash.slice(0, q) : hash).split("/").filter(Boolean);
    return { parts: parts, params: params };
  }

  function view(title) {
    clearError();
    state.seq += 1;
    var heading = state.main.querySelector(".manage-view-title");
    heading.textContent = title;
    var body = state.main.querySelector(".manage-body");
    body.textContent = "";
    Array.prototype.forEach.call(state.main.querySelectorAll("[data-nav]"), function (a) {
      var current = window.location.hash.replace(/^#/, "").split("?")[0] === a.getAttribute("data-nav");
      if (current) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    return { heading: heading, body: body, seq: state.seq };
  }

  function focusView() {
    state.main.querySelector(".manage-view-title").focus();
  }

  function route() {
    var h = parseHash();
    var parts = h.parts;
    if (!parts.length) {
      view("Choose what to work on");
      status("");
      return;
    }
    if (parts[0] === "queue") {
      var queue = QUEUES.filter(function (q) { return q.key === parts[1] && can(q.perms); })[0];
      if (queue && queue.key === "jobs") return jobsQueue(h.params);
      if (queue && queue.key === "events" && hasPath(queue.needs)) return eventsQueue(h.params);
    }
    var resource = RESOURCES.filter(function (r) { return r.key === parts[0] && can(r.perms); })[0];
    if (!resource) {
      view("Not found");
      status("There is nothing here.");
      return focusView();
    }
    if (parts.length === 1) return listView(resource, h.params);
    if (parts[1] === "new") return editView(resource, null);
    if (parts[2] === "history") return historyView(resource, parts[1], h.params);
    return editView(resource, parts[1]);
  }

  // ---- lists -----------------------------------------------------------------------------------

  function listView(resource, params) {
    var v = view(resource.label);
    var op = operation("get", resource.list);
    var filters = (op.parameters || []).filter(function (p) {
      return p.in === "query" && p.name !== "limit" && p.name !== "offset";
    });
    var form = el("form", { className: "manage-filters", role: "search", "aria-label": "Search and filter " + resource.label });
    filters.forEach(function (p) {
      var f = field(p.schema);
      var id = "id-filter-" + p.name;
      var label = p.name === "q" ? "Search" : words(p.name);
      var input;
      if (f.type === "boolean") {
        input = el("select", { id: id, name: p.name }, [
          el("option", { value: "", text: "Any" }), el("option", { value: "true", text: "Yes" }),
          el("option", { value: "false", text: "No" })]);
      } else if (f.enum) {
        input = el("select", { id: id, name: p.name }, [el("option", { value: "", text: "Any" })].concat(
          f.enum.map(function (e) { return el("option", { value: String(e), text: String(e) }); })));
      } else {
        input = el("input", {
          id: id, name: p.name,
          type: p.name === "q" ? "search" : f.type === "integer" ? "number" : "text",
          maxlength: f.maxLength, "aria-describedby": p.description ? id + "-help" : null
        });
      }
      input.value = params.get(p.name) || "";
      form.appendChild(el("p", { className: "manage-filter" }, [
        el("label", { for: id, text: label }), input,
        p.description ? el("span", { className: "helptext", id: id + "-help", text: p.description }) : null]));
    });
    form.appendChild(el("p", { className: "manage-filter manage-filter-submit" },
      el("button", { type: "submit", className: "button", text: "Apply" })));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var next = {};
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name && input.value) next[input.name] = input.value;
      });
      window.location.hash = resource.key + query(next);
    });
    v.body.appendChild(form);
    var create = bodySchema(operation("post", resource.create || resource.list));
    if (create && can(resource.perms.filter(function (p) { return /\.add_|\.moderate$/.test(p); }))) {
      v.body.appendChild(el("p", {}, el("a", { className: "button button-primary", href: "#" + resource.key + "/new",
        text: "Add a " + resource.one })));
    }
    var holder = el("div", { className: "manage-list" });
    v.body.appendChild(holder);
    var offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    var ask = {};
    params.forEach(function (value, key) { ask[key] = value; });
    ask.limit = PAGE_SIZE;
    ask.offset = offset;
    status("Loading " + resource.label.toLowerCase() + "…");
    call("GET", resource.list + query(ask)).then(function (result) {
      if (v.seq !== state.seq) return;
      if (!result.ok) {
        status("");
        return fail(P.problems(result.data));
      }
      renderList(resource, holder, result.data, params, offset);
    }).catch(function () { status(""); fail(["The list could not be loaded."]); });
  }

  function renderList(resource, holder, payload, params, offset) {
    var rows = payload.data;
    var total = payload.meta.total;
    if (!rows.length) {
      holder.appendChild(el("p", { text: "Nothing found." }));
      status("No " + resource.label.toLowerCase() + " found.");
      return;
    }
    var pub = resource.publish;
    var table = el("table", { className: "manage-table" }, [
      el("caption", { className: "visually-hidden", text: resource.label }),
      el("thead", {}, el("tr", {}, [
        el("th", { scope: "col", text: "ID" }), el("th", { scope: "col", text: "Title" }),
        el("th", { scope: "col", text: pub ? "Published" : "Status" }), el("th", { scope: "col", text: "Updated" })]))
    ]);
    var tbody = el("tbody");
    rows.forEach(function (record) {
      var shown = pub ? (record[pub.field] === pub.on ? "Yes" : "No") : (record.status || "");
      tbody.appendChild(el("tr", {}, [
        el("td", { text: String(record.id) }),
        el("td", {}, el("a", { href: "#" + resource.key + "/" + record.id, text: titleOf(record) })),
        el("td", { text: String(shown) }),
        el("td", { text: record.updated ? new Date(record.updated).toLocaleString() : "" })
      ]));
    });
    table.appendChild(tbody);
    holder.appendChild(table);
    var first = offset + 1;
    var last = offset + rows.length;
    var summary = "Showing " + first + "–" + last + " of " + total + ".";
    holder.appendChild(pager(resource.key, params, offset, total, summary));
    status(summary);
  }

  function pager(base, params, offset, total, summary) {
    var nav = el("nav", { className: "manage-pager", "aria-label": "Pages of results" });
    function to(o) {
      var next = {};
      params.forEach(function (value, key) { next[key] = value; });
      next.offset = o > 0 ? o : "";
      return "#" + base + query(next);
    }
    if (offset > 0) nav.appendChild(el("a", { href: to(Math.max(0, offset - PAGE_SIZE)), text: "‹ Previous" }));
    nav.appendChild(el("span", { text: " " + summary + " " }));
    if (offset + PAGE_SIZE < total) nav.appendChild(el("a", { href: to(offset + PAGE_SIZE), text: "Next ›" }));
    return nav;
  }

  // ---- the edit form ---------------------------------------------------------------------------

  function editView(resource, id) {
    var creating = id === null;
    var v = view(creating ? "Add a " + resource.one : "Edit " + resource.one + " #" + id);
    var itemPath = itemSpecPath(resource);
    var op = creating ? operation("post", resource.create || resource.list) : itemPath && operation("patch", itemPath);
    var schema = bodySchema(op);
    if (!schema) {
      status("");
      v.body.appendChild(el("p", { text: "This " + resource.one + " cannot be " + (creating ? "added" : "edited") + " here." }));
      return focusView();
    }
    if (creating) {
      buildForm(resource, v, schema, null, null);
      status("");
      return focusView();
    }
    status("Loading…");
    call("GET", path(resource.item, id)).then(function (result) {
      if (v.seq !== state.seq) return;
      if (!result.ok) {
        status("");
        fail(P.problems(result.data));
        return focusView();
      }
      v.heading.textContent = "Edit " + resource.one + ": " + titleOf(result.data);
      buildForm(resource, v, schema, result.data, result.etag);
      status("");
      focusView();
    }).catch(function () { status(""); fail(["The record could not be loaded."]); });
  }

  // The markup type field next to a content field: content_markup_type for content, and so on.
  function markupOf(name, props) {
    var m = name + "_markup_type";
    return props[m] ? m : null;
  }

  function buildForm(resource, v, schema, record, etag) {
    var props = schema.properties || {};
    var required = schema.required || [];
    var names = Object.keys(props);
    var current = { record: record, etag: etag };
    var form = el("form", { className: "stacked-form manage-form", novalidate: true });
    var message = el("p", { className: "manage-form-message", role: "status", tabindex: "-1", hidden: true });
    var problems = el("div", { className: "form-errors", role: "alert", tabindex: "-1", hidden: true });
    var markupTypes = {};
    names.forEach(function (n) { var m = markupOf(n, props); if (m) markupTypes[m] = n; });
    var inputs = {};

    names.forEach(function (name) {
      if (markupTypes[name]) return; // shown with its content field
      var f = field(props[name]);
      var box = fieldBox(name, f, required.indexOf(name) >= 0, record);
      inputs[name] = box.input;
      form.appendChild(box.node);
      var markup = markupOf(name, props);
      if (markup) {
        var mbox = fieldBox(markup, field(props[markup]), required.indexOf(markup) >= 0, record);
        inputs[markup] = mbox.input;
        form.appendChild(mbox.node);
        form.appendChild(previewBox(name, box.input, mbox.input));
      }
    });

    var save = el("button", { type: "submit", className: "button button-primary", text: record ? "Save" : "Add" });
    var actions = el("p", { className: "manage-actions" }, [save]);
    form.appendChild(actions);
    v.body.appendChild(problems);
    v.body.appendChild(message);
    if (record) v.body.appendChild(recordTools(resource, current, inputs, message, problems));
    v.body.appendChild(form);

    function say(text) {
      problems.hidden = true;
      message.hidden = false;
      message.textContent = text;
      message.focus();
    }
    current.say = say;

    // The fields the form would send: those that differ from the record (all given ones when
    // adding), and the inputs that cannot be read ([name, message]).
    function collect() {
      var body = {};
      var bad = [];
      names.forEach(function (name) {
        var input = inputs[name];
        if (!input) return;
        var parsed = readValue(input, field(props[name]));
        if (parsed.error) return bad.push([name, parsed.error]);
        if (parsed.skip) return;
        if (record && JSON.stringify(parsed.value) === JSON.stringify(record[name])) return;
        body[name] = parsed.value;
      });
      return { body: body, bad: bad };
    }
    // For the draft preview: the unsaved changes, or null after showing why they cannot be read.
    current.changes = function () {
      clearFieldErrors(form);
      var got = collect();
      if (got.bad.length) {
        showFieldErrors(form, problems, got.bad);
        return null;
      }
      return got.body;
    };

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearFieldErrors(form);
      var got = collect();
      var body = got.body;
      var bad = got.bad;
      if (bad.length) return showFieldErrors(form, problems, bad);
      if (record && !Object.keys(body).length) return say("Nothing has changed: there is nothing to save.");
      save.disabled = true;
      var request = record
        ? call("PATCH", path(resource.item, record.id), body, current.etag)
        : call("POST", resource.create || resource.list, body);
      request.then(function (result) {
        save.disabled = false;
        if (result.status === 412) return conflict(problems);
        if (!result.ok) return showFieldErrors(form, problems, P.complaints(result.data));
        if (!record) {
          status("The " + resource.one + " has been added.");
          window.location.hash = resource.key + "/" + result.data.id;
          return;
        }
        current.record = record = result.data;
        current.etag = result.etag;
        if (current.sync) current.sync();
        say("Saved.");
      }).catch(function () {
        save.disabled = false;
        showFieldErrors(form, problems, [["", "The API could not be reached: nothing was saved."]]);
      });
    });
  }

  function fieldBox(name, f, isRequired, record) {
    var id = "id-f-" + name;
    var errorId = id + "-error";
    var helpId = f.description ? id + "-help" : null;
    var describedBy = [helpId, errorId].filter(Boolean).join(" ");
    var value = record ? record[name] : f.default;
    var input;
    var mark = isRequired ? el("span", { className: "required", text: " *", "aria-hidden": "true" }) : null;
    var label = el("label", { for: id }, [words(name), mark]);
    var node;
    if (f.type === "boolean") {
      input = el("input", { id: id, name: name, type: "checkbox", "aria-describedby": describedBy });
      input.checked = value === true;
      node = el("p", { className: "manage-field manage-field-check" }, [input, " ", label]);
    } else {
      if (f.enum) {
        input = el("select", { id: id, name: name, "aria-describedby": describedBy },
          (isRequired && value != null ? [] : [el("option", { value: "", text: "—" })]).concat(
            f.enum.map(function (e) { return el("option", { value: String(e), text: String(e) }); })));
        input.value = value == null ? "" : String(value);
      } else if (f.type === "string" && f.format === "date-time") {
        input = el("input", { id: id, name: name, type: "datetime-local", "aria-describedby": describedBy });
        input.value = value ? localTime(value) : "";
      } else if (f.type === "string" && f.format === "date") {
        input = el("input", { id: id, name: name, type: "date", "aria-describedby": describedBy });
        input.value = value || "";
      } else if (f.type === "integer" || f.type === "number") {
        input = el("input", { id: id, name: name, type: "number", "aria-describedby": describedBy,
          step: f.type === "integer" ? "1" : "any", min: f.minimum, max: f.maximum });
        input.value = value == null ? "" : String(value);
      } else if (f.type === "array" && deref(f.items).type === "string") {
        input = el("input", { id: id, name: name, "aria-describedby": id + "-list " + describedBy });
        input.value = (value || []).join(", ");
        helpId = null;
        node = el("span", { className: "helptext", id: id + "-list", text: "Separate the values with commas." });
      } else if (f.type === "array" || f.type === "object") {
        input = el("textarea", { id: id, name: name, rows: "4", className: "manage-json",
          "aria-describedby": id + "-json " + describedBy });
        input.value = value == null ? "" : JSON.stringify(value, null, 2);
        node = el("span", { className: "helptext", id: id + "-json", text: "JSON." });
      } else if (isLong(name, f)) {
        input = el("textarea", { id: id, name: name, rows: "12", maxlength: f.maxLength, "aria-describedby": describedBy });
        input.value = value == null ? "" : String(value);
      } else {
        input = el("input", { id: id, name: name, maxlength: f.maxLength, "aria-describedby": describedBy,
          type: /(^|_)email$/.test(name) ? "email" : /(^|_)url$|^link$/.test(name) ? "url" : "text" });
        input.value = value == null ? "" : String(value);
      }
      if (isRequired) input.setAttribute("aria-required", "true");
      var extra = node;
      node = el("p", { className: "manage-field" }, [label, input, extra,
        f.description ? el("span", { className: "helptext", id: helpId, text: f.description }) : null]);
    }
    node.appendChild(el("span", { className: "manage-field-error", id: errorId, hidden: true }));
    input.setAttribute("data-original", input.type === "checkbox" ? String(input.checked) : input.value);
    if (f.nullable) input.setAttribute("data-nullable", "true");
    return { node: node, input: input };
  }

  function isLong(name, f) {
    return /^(content|description|requirements|company_description|code|copy|abstract|pull_quote|message)$/.test(name) ||
      (f.maxLength === undefined && /content|description|text$/.test(name));
  }

  function localTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) +
      ":" + pad(d.getMinutes());
  }

  // The value to send for one input: {value}, {skip} (left empty on a new record), or {error}.
  function readValue(input, f) {
    var raw = input.type === "checkbox" ? input.checked : input.value;
    var untouched = input.getAttribute("data-original") === String(raw);
    var nullable = input.getAttribute("data-nullable") === "true";
    if (f.type === "boolean") return { value: raw };
    if (raw === "") {
      if (untouched) return { skip: true };
      if (nullable) return { value: null };
      if (f.type === "string" && !f.enum && !f.format) return { value: "" };
      return { skip: true };
    }
    if (f.enum) {
      var match = f.enum.filter(function (e) { return String(e) === raw; })[0];
      return { value: match };
    }
    if (f.type === "integer" || f.type === "number") {
      var n = Number(raw);
      if (!isFinite(n) || (f.type === "integer" && Math.floor(n) !== n)) return { error: "Enter a whole number." };
      return { value: n };
    }
    if (f.type === "string" && f.format === "date-time") {
      if (untouched) return { skip: true };
      var d = new Date(raw);
      if (isNaN(d.getTime())) return { error: "Enter a date and time." };
      return { value: d.toISOString() };
    }
    if (f.type === "array" && deref(f.items).type === "string") {
      return { value: raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean) };
    }
    if (f.type === "array" || f.type === "object") {
      try {
        return { value: JSON.parse(raw) };
      } catch (e) {
        return { error: "Enter valid JSON." };
      }
    }
    return { value: raw };
  }

  function clearFieldErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".manage-field-error"), function (node) {
      node.hidden = true;
      node.textContent = "";
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (node) {
      node.removeAttribute("aria-invalid");
    });
  }

  // The API's 400 messages: next to each field (its label named), and all of them in the box.
  function showFieldErrors(form, box, complaints) {
    var lines = [];
    var firstInput = null;
    complaints.forEach(function (item) {
      var name = String(item[0] || "").split(".")[0];
      var input = name ? form.querySelector('[name="' + name.replace(/["\\]/g, "") + '"]') : null;
      var label = input && input.labels && input.labels.length
        ? input.labels[0].textContent.replace(/\s*\*/g, "").trim() : name ? words(name) : "";
      lines.push(label ? label + ": " + item[1] : item[1]);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        var slot = document.getElementById(input.id + "-error");
        if (slot) {
          slot.hidden = false;
          slot.textContent = (slot.textContent ? slot.textContent + " " : "") + label + ": " + item[1];
        }
        if (!firstInput) firstInput = input;
      }
    });
    P.showProblems(box, lines);
  }

  function conflict(box) {
    box.hidden = false;
    box.textContent = "";
    box.appendChild(el("p", { text: "This record was changed by someone else since you opened it, so nothing " +
      "was saved. Reload it to see the current version (your changes here will be lost)." }));
    box.appendChild(el("p", {}, button("Reload", function () { route(); })));
    box.focus();
  }

  // ---- live preview ----------------------------------------------------------------------------

  function previewBox(name, content, markup) {
    var id = "id-preview-" + name;
    var out = el("div", { className: "manage-preview-body" });
    var state_ = el("p", { className: "manage-preview-state helptext", text: "" });
    var box = el("section", { className: "manage-preview", "aria-labelledby": id }, [
      el("h3", { id: id, className: "manage-preview-title", text: "Preview: " + words(name) }), state_, out]);
    var timer = null;
    var asked = 0;
    function render() {
      var mine = ++asked;
      state_.textContent = "Updating the preview…";
      call("POST", "/markup/render", { markup_type: markup.value || "markdown", content: content.value })
        .then(function (result) {
          if (mine !== asked) return;
          if (!result.ok) {
            state_.textContent = "No preview: " + P.complaints(result.data).map(function (c) { return c[1]; }).join(" ");
            return;
          }
          out.innerHTML = result.data.html; // rendered and sanitized by the API (core/markup.py)
          state_.textContent = "Rendered by the API as it will be stored.";
        })
        .catch(function () { if (mine === asked) state_.textContent = "No preview: the API could not be reached."; });
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, PREVIEW_DELAY);
    }
    content.addEventListener("input", later);
    markup.addEventListener("change", render);
    render();
    return box;
  }

  // ---- publish, delete, preview, history -------------------------------------------------------

  function recordTools(resource, current, inputs, message, problems) {
    var tools = el("div", { className: "manage-tools" });
    var pub = resource.publish;
    var itemPath = itemSpecPath(resource);
    if (pub && itemPath && operation("patch", itemPath)) {
      var toggle = button("", function () {
        var publishing = current.record[pub.field] !== pub.on;
        var body = {};
        body[pub.field] = publishing ? pub.on : pub.off;
        toggle.disabled = true;
        call("PATCH", path(resource.item, current.record.id), body, current.etag).then(function (result) {
          toggle.disabled = false;
          if (result.status === 412) return conflict(problems);
          if (!result.ok) return P.showProblems(problems, P.problems(result.data));
          current.record = result.data;
          current.etag = result.etag;
          var input = inputs[pub.field];
          if (input) {
            if (input.type === "checkbox") input.checked = result.data[pub.field] === true;
            else input.value = String(result.data[pub.field]);
            input.setAttribute("data-original", input.type === "checkbox" ? String(input.checked) : input.value);
          }
          sync();
          current.say(publishing ? "Published. The public site is rebuilt in a few seconds." : "Unpublished.");
        }).catch(function () { toggle.disabled = false; });
      }, "manage-publish");
      var sync = function () {
        toggle.textContent = current.record[pub.field] === pub.on ? "Unpublish" : "Publish";
      };
      current.sync = sync;
      sync();
      tools.appendChild(toggle);
    }
    if (resource.preview && hasPath(API + "/previews")) tools.appendChild(previewButton(resource, current));
    if (resource.feed && hasPath(API + "/changes/history")) {
      tools.appendChild(el("a", { className: "button", href: "#" + resource.key + "/" + current.record.id + "/history",
        text: "History" }));
    }
    if (itemPath && operation("delete", itemPath)) {
      tools.appendChild(button("Delete…", function (event) {
        var opener = event.currentTarget;
        ask({
          title: "Delete this " + resource.one + "?",
          text: "“" + titleOf(current.record) + "” will be deleted. This cannot be undone.",
          ok: "Delete",
          opener: opener
        }).then(function (answer) {
          if (!answer) return;
          call("DELETE", path(resource.item, current.record.id), undefined, current.etag).then(function (result) {
            if (result.status === 412) return conflict(problems);
            if (!result.ok) return P.showProblems(problems, P.problems(result.data));
            window.location.hash = resource.key;
            status("The " + resource.one + " has been deleted.");
          });
        });
      }, "button-danger"));
    }
    return tools;
  }

  // Preview: POST /api/v3/previews for the record, with the form's unsaved changes where the API
  // takes them (pages, releases, stories: resource.changes), then GET .../status until it is
  // rendered, then a link to the private page. The link is on this origin (the console and the
  // API share the site's host; /api/ is routed to the API), whatever host the API's "url" names.
  function previewButton(resource, current) {
    var holder = el("span", { className: "manage-preview-link" });
    var b = button("Preview", function () {
      var body = { type: resource.preview, id: current.record.id };
      var changes = current.changes ? current.changes() : {};
      if (changes === null) return; // a field could not be read: shown next to it
      var dirty = Object.keys(changes).length > 0;
      if (dirty && resource.changes) body.changes = changes;
      b.disabled = true;
      holder.textContent = "";
      clearError();
      status(dirty && !resource.changes
        ? "Building the preview of the saved " + resource.one + " (save first to preview your changes)…"
        : "Building the preview…");
      call("POST", "/previews", body).then(function (result) {
        if (result.status === 404 && !(result.data && result.data.extra)) {
          b.hidden = true; // the API has no previews (or not for this record)
          b.disabled = false;
          status("Previews are not available.");
          return;
        }
        if (!result.ok) {
          b.disabled = false;
          status("");
          return fail(P.problems(result.data));
        }
        waitForPreview(result.data, Date.now(), function (done) {
          b.disabled = false;
          if (!done || done.status !== "ready") {
            status("The preview could not be built" + (done && done.error ? ": " + done.error : "."));
            return;
          }
          var link = el("a", { href: previewUrl(done.token), target: "_blank", rel: "noopener noreferrer",
            text: "Open the preview" });
          holder.appendChild(link);
          status("The preview is ready" + (body.changes ? ", with your unsaved changes." : "."));
          link.focus();
        });
      }).catch(function () { b.disabled = false; status("The preview could not be built."); });
    });
    return el("span", { className: "manage-preview-tool" }, [b, " ", holder]);
  }

  function previewUrl(token) {
    return window.location.origin + API + "/previews/" + encodeURIComponent(token);
  }

  var PREVIEW_WAIT = 180000; // ms: longer than the worker's render timeout (120 s by default)

  function waitForPreview(preview, since, done) {
    if (preview.status !== "pending" || Date.now() - since > PREVIEW_WAIT) return done(preview);
    window.setTimeout(function () {
      call("GET", "/previews/" + encodeURIComponent(preview.token) + "/status").then(function (result) {
        if (!result.ok) return done(null);
        waitForPreview(result.data, since, done);
      }, function () { done(null); });
    }, 1000);
  }

  function historyView(resource, id, params) {
    var v = view("History of " + resource.one + " #" + id);
    var offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    v.body.appendChild(el("p", {}, el("a", { href: "#" + resource.key + "/" + id, text: "Back to the " + resource.one })));
    status("Loading the history…");
    var ask = { domain: resource.feed[0], kind: resource.feed[1], object_id: id, limit: PAGE_SIZE, offset: offset };
    call("GET", "/changes/history" + query(ask)).then(function (result) {
      if (v.seq !== state.seq) return;
      if (!result.ok) { status(""); return fail(P.problems(result.data)); }
      var rows = result.data.data;
      if (!rows.length) { status("No recorded changes."); return focusView(); }
      var tbody = el("tbody");
      rows.forEach(function (row) {
        tbody.appendChild(el("tr", {}, [
          el("td", { text: new Date(row.created).toLocaleString() }),
          el("td", { text: row.action }),
          el("td", { text: row.actor || "—" }),
          el("td", { text: (row.fields || []).join(", ") })]));
      });
      v.body.appendChild(el("table", { className: "manage-table" }, [
        el("caption", { className: "visually-hidden", text: "Changes, newest first" }),
        el("thead", {}, el("tr", {}, ["When", "Action", "By", "Fields"].map(function (h) {
          return el("th", { scope: "col", text: h });
        }))), tbody]));
      var meta = result.data.meta || {};
      var total = meta.total != null ? meta.total : offset + rows.length;
      var summary = "Showing " + (offset + 1) + "–" + (offset + rows.length) + " of " + total + ".";
      v.body.appendChild(pager(resource.key + "/" + id + "/history", params, offset, total, summary));
      status(summary);
      focusView();
    }).catch(function () { status(""); fail(["The history could not be loaded."]); });
  }

  // ---- moderation queues -----------------------------------------------------------------------

  function jobsQueue(params) {
    var v = view("Jobs awaiting review");
    var offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    status("Loading the queue…");
    call("GET", "/jobs/review" + query({ limit: PAGE_SIZE, offset: offset })).then(function (result) {
      if (v.seq !== state.seq) return;
      if (!result.ok) { status(""); return fail(P.problems(result.data)); }
      var rows = result.data.data;
      if (!rows.length) {
        v.body.appendChild(el("p", { text: "No job listings are waiting for review." }));
        status("The queue is empty.");
        return focusView();
      }
      var list = el("ul", { className: "manage-queue" });
      rows.forEach(function (job) {
        var item = el("li", { className: "manage-queue-item" });
        var heading = el("h3", { id: "job-" + job.id, tabindex: "-1" },
          el("a", { href: "#jobs/" + job.id, text: job.job_title + " — " + job.company_name }));
        var outcome = el("p", { className: "manage-queue-outcome", role: "status", tabindex: "-1" });
        var approve = button("Approve", function () {
          approve.disabled = reject.disabled = true;
          call("POST", "/jobs/" + job.id + "/approve").then(function (r) { settle(r, "Approved."); });
        }, "button-primary");
        var reject = button("Reject…", function (event) {
          ask({
            title: "Reject “" + job.job_title + "”?",
            text: "The reason is mailed to the listing's contact and kept with the listing.",
            field: "Reason", required: true, ok: "Reject", opener: event.currentTarget
          }).then(function (answer) {
            if (!answer) return;
            approve.disabled = reject.disabled = true;
            call("POST", "/jobs/" + job.id + "/comments",
              { comment: answer.value, comment_markup_type: "text", action: "reject" })
              .then(function (r) { settle(r, "Rejected."); });
          });
        });
        function settle(r, text) {
          if (!r.ok) {
            approve.disabled = reject.disabled = false;
            fail(P.problems(r.data));
            return;
          }
          outcome.textContent = "“" + job.job_title + "”: " + text;
          approve.remove();
          reject.remove();
          outcome.focus();
        }
        item.appendChild(heading);
        var category = job.category && typeof job.category === "object" ? job.category.name : job.category;
        item.appendChild(el("p", { text: [job.display_location, category, job.created &&
          "submitted " + new Date(job.created).toLocaleDateString()].filter(Boolean).join(" · ") }));
        item.appendChild(el("p", { className: "manage-queue-actions" }, [approve, " ", reject]));
        item.appendChild(outcome);
        list.appendChild(item);
      });
      v.body.appendChild(list);
      var total = result.data.meta.total;
      var summary = total + " waiting; showing " + (offset + 1) + "–" + (offset + rows.length) + ".";
      v.body.appendChild(pager("queue/jobs", params, offset, total, summary));
      status(summary);
      focusView();
    }).catch(function () { status(""); fail(["The queue could not be loaded."]); });
  }

  function eventsQueue(params) {
    var v = view("Event submissions");
    var offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    var shown = params.get("status") || "pending";
    var filter = el("form", { className: "manage-filters", "aria-label": "Filter the submissions" }, [
      el("p", { className: "manage-filter" }, [el("label", { for: "id-sub-status", text: "Status" }),
        el("select", { id: "id-sub-status", name: "status" }, ["pending", "accepted", "declined"].map(function (s) {
          return el("option", { value: s, text: words(s) });
        }))]),
      el("p", { className: "manage-filter manage-filter-submit" }, el("button", { type: "submit", className: "button", text: "Apply" }))
    ]);
    filter.elements.status.value = shown;
    filter.addEventListener("submit", function (event) {
      event.preventDefault();
      window.location.hash = "queue/events" + query({ status: filter.elements.status.value });
    });
    v.body.appendChild(filter);
    status("Loading the submissions…");
    Promise.all([
      call("GET", "/events/submissions" + query({ status: shown, limit: PAGE_SIZE, offset: offset })),
      call("GET", "/events/calendars?limit=100")
    ]).then(function (answers) {
      if (v.seq !== state.seq) return;
      var result = answers[0];
      if (!result.ok) { status(""); return fail(P.problems(result.data)); }
      var calendars = answers[1].ok ? answers[1].data.data : [];
      var rows = result.data.data;
      if (!rows.length) {
        v.body.appendChild(el("p", { text: "No " + shown + " submissions." }));
        status("No " + shown + " submissions.");
        return focusView();
      }
      var list = el("ul", { className: "manage-queue" });
      rows.forEach(function (sub) { list.appendChild(submissionItem(sub, calendars)); });
      v.body.appendChild(list);
      var total = result.data.meta.total;
      var summary = "Showing " + (offset + 1) + "–" + (offset + rows.length) + " of " + total + ".";
      v.body.appendChild(pager("queue/events", params, offset, total, summary));
      status(summary);
      focusView();
    }).catch(function () { status(""); fail(["The submissions could not be loaded."]); });
  }

  // A suggestion as the moderator reads it: what, when, where, the submitter's link (a link only
  // when it is http(s)), the description with its line breaks, and once decided, who and why.
  function submissionDetails(sub) {
    var details = el("dl", { className: "manage-details" });
    function day(d) {
      var t = new Date(d + "T00:00:00Z");
      return isNaN(t.getTime()) ? String(d) : t.toLocaleDateString(undefined, { timeZone: "UTC", dateStyle: "medium" });
    }
    function when(t) {
      return t ? new Date(t).toLocaleString() : "";
    }
    function row(label, value) {
      if (value == null || value === "") return;
      details.appendChild(el("dt", { text: label }));
      details.appendChild(el("dd", {}, value));
    }
    var link = outsideLink(sub.link);
    row("Submitted", [when(sub.created), sub.submitter_email ? " by " + sub.submitter_email : ""].join(""));
    row("Type", sub.event_type);
    row("Python focus", sub.python_focus);
    row("Expected attendees", sub.expected_attendees);
    row("Where", sub.location);
    row("When", sub.date_from === sub.date_to ? day(sub.date_from) : day(sub.date_from) + " – " + day(sub.date_to));
    row("Recurrence", sub.recurrence);
    row("Link", link ? el("a", { href: link, rel: "noopener noreferrer nofollow", text: sub.link }) : sub.link);
    row("Description", el("span", { className: "manage-details-text", text: sub.description || "" }));
    if (sub.status && sub.status !== "pending") {
      row("Decision", words(sub.status) + (sub.decided_at ? " " + when(sub.decided_at) : "") +
        (sub.decided_by ? " by " + sub.decided_by : ""));
      row("Note", sub.decision_note ? el("span", { className: "manage-details-text", text: sub.decision_note }) : "");
      if (sub.event_id) row("Event", el("a", { href: "#events/" + sub.event_id, text: "Event #" + sub.event_id }));
    }
    return details;
  }

  // An address from someone else (a suggestion's link) as a link target: http(s) only.
  function outsideLink(value) {
    try {
      var url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function submissionItem(sub, calendars) {
    var item = el("li", { className: "manage-queue-item" });
    var title = sub.event_name || "Submission #" + sub.id;
    item.appendChild(el("h3", { text: title }));
    item.appendChild(submissionDetails(sub));
    var outcome = el("p", { className: "manage-queue-outcome", role: "status", tabindex: "-1" });
    if ((sub.status || "pending") === "pending") {
      var accept = button("Accept…", function (event) {
        ask({ title: "Accept “" + title + "”?", text: "An event is created from the submission.",
          choose: { label: "Calendar", options: calendars.map(function (c) { return [c.slug, c.name]; }) },
          check: "Publish it now", ok: "Accept", opener: event.currentTarget
        }).then(function (answer) {
          if (!answer) return;
          accept.disabled = decline.disabled = true;
          call("POST", "/events/submissions/" + sub.id + "/accept", { calendar: answer.choice, publish: answer.checked })
            .then(function (r) { settle(r, "Accepted."); }, unreachable);
        });
      }, "button-primary");
      var decline = button("Decline…", function (event) {
        ask({ title: "Decline “" + title + "”?", field: "Note", required: false, ok: "Decline",
          opener: event.currentTarget
        }).then(function (answer) {
          if (!answer) return;
          accept.disabled = decline.disabled = true;
          call("POST", "/events/submissions/" + sub.id + "/decline", { note: answer.value })
            .then(function (r) { settle(r, "Declined."); }, unreachable);
        });
      });
      var unreachable = function () {
        accept.disabled = !calendars.length;
        decline.disabled = false;
        fail(["The API could not be reached: nothing was decided."]);
      };
      var settle = function (r, text) {
        accept.disabled = !calendars.length;
        decline.disabled = false;
        if (r.status === 409) {
          accept.remove();
          decline.remove();
          outcome.textContent = "Someone else has already decided this submission.";
          return outcome.focus();
        }
        if (!r.ok) return fail(P.problems(r.data));
        accept.remove();
        decline.remove();
        outcome.textContent = "“" + title + "”: " + text;
        if (r.data && r.data.event_id && RESOURCES[2] && can(RESOURCES[2].perms)) {
          outcome.appendChild(document.createTextNode(" "));
          outcome.appendChild(el("a", { href: "#events/" + r.data.event_id, text: "Edit the event" }));
        }
        outcome.focus();
      };
      var actions = el("p", { className: "manage-queue-actions" }, [accept, " ", decline]);
      if (!calendars.length) {
        accept.disabled = true; // nothing to accept it into
        actions.appendChild(el("span", { className: "helptext", text: " There is no calendar to accept it into yet." }));
      }
      item.appendChild(actions);
    }
    item.appendChild(outcome);
    return item;
  }

  // ---- the dialog ------------------------------------------------------------------------------

  // A modal question: {title, text, field (a textarea's label), required, choose {label, options},
  // check (a checkbox's label), ok, opener}. Resolves to {value, choice, checked} or null. Escape
  // and Cancel close it; the focus goes back to the button that opened it.
  function ask(o) {
    var dialog = state.main.querySelector(".manage-dialog");
    var form = dialog.querySelector("form");
    // Set here, not in the page: the HTML checker (vnu) does not know method="dialog" yet.
    form.setAttribute("method", "dialog");
    P.text(dialog.querySelector(".manage-dialog-title"), o.title);
    P.text(dialog.querySelector(".manage-dialog-text"), o.text || "");
    var fieldBox = dialog.querySelector(".manage-dialog-field");
    var input = dialog.querySelector("#id-manage-dialog-input");
    fieldBox.hidden = !o.field;
    input.value = "";
    input.required = !!(o.field && o.required);
    P.text(dialog.querySelector(".manage-dialog-label"), o.field || "");
    var extras = dialog.querySelector(".manage-dialog-extras");
    if (!extras) {
      extras = el("div", { className: "manage-dialog-extras" });
      fieldBox.parentNode.insertBefore(extras, fieldBox.nextSibling);
    }
    extras.textContent = "";
    var select = null;
    var checkbox = null;
    if (o.choose) {
      select = el("select", { id: "id-manage-dialog-choice", required: true },
        o.choose.options.map(function (opt) { return el("option", { value: opt[0], text: opt[1] }); }));
      extras.appendChild(el("p", {}, [el("label", { for: "id-manage-dialog-choice", text: o.choose.label }), select]));
    }
    if (o.check) {
      checkbox = el("input", { id: "id-manage-dialog-check", type: "checkbox" });
      extras.appendChild(el("p", { className: "manage-field-check" },
        [checkbox, " ", el("label", { for: "id-manage-dialog-check", text: o.check })]));
    }
    P.text(dialog.querySelector(".manage-dialog-ok"), o.ok);
    return new Promise(function (resolve) {
      function closed() {
        dialog.removeEventListener("close", closed);
        var yes = dialog.returnValue === "ok";
        if (o.opener && document.contains(o.opener)) o.opener.focus();
        resolve(yes ? { value: input.value, choice: select && select.value, checked: !!(checkbox && checkbox.checked) } : null);
      }
      dialog.returnValue = "";
      dialog.addEventListener("close", closed);
      dialog.showModal();
      (o.field ? input : select || dialog.querySelector(".manage-dialog-cancel")).focus();
    });
  }

  P.runApp({ manage: start });
})();
