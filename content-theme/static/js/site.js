/* python.org theme: mobile menu toggle, the download button for the visitor's platform and the
   header's account menu; and window.pydotorg, the helpers every page script shares.

   base.html loads this file on every page, in <head> and without "defer", so window.pydotorg is
   there before any page's own (deferred) script runs: app.js, users.js, membership.js,
   nominations.js, sponsors.js and social.js use these and define none of their own. */
window.pydotorg = (function () {
  "use strict";

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Only a browser holding the CSRF cookie that a log-in sets can be logged in.
  function maybeLoggedIn() {
    return /(?:^|; )pydotorg_csrf=[^;]/.test(document.cookie);
  }

  // One call to /api/v3/ on this origin with the session cookie and, for anything but a GET,
  // the CSRF header. Resolves to {ok, status, data} (data null for a 204 or a body that is not
  // JSON); rejects only when the request could not be made.
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

  // The log-in page, coming back to this one.
  function loginUrl() {
    return "/accounts/login/?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  // The one gate for every URL a page navigates to, links to or hands on that it did not write
  // itself (a ?next= parameter, a URL from the API): a path on this origin, or the fallback. The
  // value must start with one "/" not followed by "/" or "\" (browsers read "/\host" as
  // "//host"), and parsed against this origin it must stay on it (tabs and newlines, which the
  // URL parser drops, cannot smuggle a host past the first check).
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

  // The same gate for a target handed on as a path (the API's ?next=, which takes nothing else):
  // the path of safeNext's URL, or the fallback where that path would read as "//host".
  function sitePath(value, fallback) {
    var url = new URL(safeNext(value, fallback), window.location.origin);
    var path = url.pathname + url.search + url.hash;
    return /^\/[\/\\]/.test(path) ? fallback || "/" : path;
  }

  // Every navigation of the page scripts goes through here.
  function go(target, fallback) {
    window.location.assign(safeNext(target, fallback));
  }

  // The API's complaints as [field or "", message]: {"detail", "errors": {"field": [...]}}, a
  // 409's {"detail", "extra": {"field"}}, or a list of {"key", "message"} from body validation.
  function complaints(data) {
    if (!data) return [["", "Something went wrong. Please try again."]];
    var out = [];
    var errors = data.errors || data.extra || {};
    // One problem with the field it concerns: {"detail": ..., "extra": {"field": "username"}}.
    if (typeof errors.field === "string" && data.detail) return [[errors.field, data.detail]];
    if (Array.isArray(errors)) {
      errors.forEach(function (e) { out.push([e.key || "", e.message || String(e)]); });
    } else {
      Object.keys(errors).forEach(function (field) {
        [].concat(errors[field]).forEach(function (msg) { out.push([field, msg]); });
      });
    }
    if (!out.length) out.push(["", data.detail || "Something went wrong. Please try again."]);
    return out;
  }

  // What the page calls the API's field ``field``: the label of the form field of that name ("To"
  // for date_to; a group's legend), else the name in words ("Date to"). A visitor never sees the
  // API's names.
  function fieldLabel(field) {
    var selector = '[name="' + String(field).replace(/["\\]/g, "\\$&") + '"]';
    var input = document.querySelector("main " + selector) || document.querySelector(selector);
    var group = input && /^(checkbox|radio)$/.test(input.type) && input.closest("fieldset");
    var label = group ? group.querySelector("legend") : null;
    if (!label && input && input.labels && input.labels.length) label = input.labels[0];
    var name = label ? label.textContent.replace(/\s*\*/g, "").replace(/\s+/g, " ").trim() : "";
    if (name) return name;
    var words = String(field).replace(/[_.]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  // The same as lines to show: "Label: message", or the message alone.
  function problems(data) {
    return complaints(data).map(function (item) {
      return item[0] ? fieldLabel(item[0]) + ": " + item[1] : item[1];
    });
  }

  // A list of messages in a page's .form-errors box (role="alert"), which gets the focus.
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

  function link(href, label) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    return a;
  }

  // A finished form: its message (.form-done) in place of the element given, with the focus.
  function done(main, hide) {
    var message = main.querySelector(".form-done");
    main.querySelector(".form-errors").hidden = true;
    if (hide) hide.hidden = true;
    message.hidden = false;
    message.focus();
    return message;
  }

  // Runs the controller that the page's [data-app] element names, once the page is parsed.
  function runApp(controllers) {
    document.addEventListener("DOMContentLoaded", function () {
      var main = document.querySelector("[data-app]");
      var controller = main && controllers[main.getAttribute("data-app")];
      if (controller) controller(main);
    });
  }

  return Object.freeze({
    cookie: cookie,
    maybeLoggedIn: maybeLoggedIn,
    api: api,
    param: param,
    loginUrl: loginUrl,
    safeNext: safeNext,
    sitePath: sitePath,
    go: go,
    complaints: complaints,
    problems: problems,
    showProblems: showProblems,
    text: text,
    link: link,
    done: done,
    runApp: runApp
  });
})();

(function () {
  "use strict";
  var P = window.pydotorg;
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  function detectOs() {
    var ua = navigator.userAgent;
    if (/Android|iPhone|iPad|iPod/.test(ua)) return null;
    if (/Windows/.test(ua)) return "windows";
    if (/Macintosh|Mac OS X/.test(ua)) return "macos";
    if (/Linux|X11|BSD/.test(ua)) return "source";
    return null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("mainnav");
    if (toggle && nav) {
      var setOpen = function (open) {
        toggle.setAttribute("aria-expanded", String(open));
        nav.classList.toggle("is-open", open);
      };
      toggle.addEventListener("click", function () {
        setOpen(toggle.getAttribute("aria-expanded") !== "true");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && nav.classList.contains("is-open")) {
          setOpen(false);
          toggle.focus();
        }
      });
    }

    accountBar(document.querySelector(".account-bar"));

    var os = detectOs();
    showDownloadFor(document, os);
    codeSamples(document.querySelector(".code-samples"));

    // The drop-downs of the main navigation (python.org's "supernav"): on wide screens each
    // section's box is fetched from /box/<label>/ and shown first in its drop-down.
    if (window.matchMedia && window.matchMedia("(min-width: 64em)").matches) {
      var menus = document.querySelectorAll(".main-navigation .subnav[data-box]");
      Array.prototype.forEach.call(menus, function (menu) {
        var label = menu.getAttribute("data-box");
        fetch("/box/" + encodeURIComponent(label) + "/", { credentials: "omit" })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (html) {
            if (!html) return;
            var holder = document.createElement("ul");
            holder.innerHTML = html;
            var item = holder.querySelector("li.super-navigation");
            if (!item) return;
            showDownloadFor(item, os);
            menu.insertBefore(item, menu.firstChild);
            menu.classList.add("with-supernav");
          })
          .catch(function () { /* the plain links stay */ });
      });
    }
  });

  // The header's account menu (python.org's "/authenticated" fragment). Every page is the same
  // for everyone; the visitor's own part comes from /api/v3/users/me. Only a browser holding
  // the CSRF cookie that a log-in sets asks at all, so anonymous visits cost the API nothing.
  // Without JavaScript the plain "Sign in" link stays.
  function accountBar(bar) {
    if (!bar) return;
    var here = window.location.pathname + window.location.search;
    var back = /^\/accounts\//.test(window.location.pathname) ? "" : "?next=" + encodeURIComponent(here);
    var link = P.link;
    function anonymous() {
      bar.textContent = "";
      var signin = link("/accounts/login/" + back, "Sign in");
      signin.className = "account-signin";
      var signup = link("/accounts/signup/", "Sign up");
      signup.className = "account-signup";
      bar.appendChild(signin);
      bar.appendChild(document.createTextNode(" / "));
      bar.appendChild(signup);
    }
    if (!P.maybeLoggedIn()) return anonymous();
    P.api("GET", "/users/me")
      .then(function (result) { return result.ok && result.data ? signedIn(bar, result.data) : anonymous(); })
      .catch(anonymous);

    function signedIn(bar, me) {
      bar.textContent = "";
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "account-toggle";
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-controls", "account-menu");
      toggle.textContent = me.username;
      var menu = document.createElement("ul");
      menu.id = "account-menu";
      menu.className = "account-menu";
      menu.hidden = true;
      var heading = document.createElement("li");
      heading.className = "account-menu-title";
      heading.textContent = "Your account";
      menu.appendChild(heading);
      // Only searchable accounts have a built profile page (sitebuilder/sections/users.py: active,
      // public profile, indexable, not one of python.org's own /users/ URLs).
      var ownUrls = ["edit", "membership", "nominations", "sponsorships"];
      var hasProfile = me.public_profile && me.search_visibility === 1 && ownUrls.indexOf(me.username) < 0;
      [
        hasProfile ? ["/users/" + encodeURIComponent(me.username) + "/", "View your profile"] : null,
        ["/users/edit/", "Edit your user profile"],
        ["/accounts/password/change/", "Change your password"],
        ["/accounts/social/connections/", "Connected accounts"],
        ["/users/membership/", me.has_membership ? "Edit your PSF Basic membership" : "Become a PSF Basic member"],
        ["/users/nominations/", "Nominations"]
      ].filter(Boolean).forEach(function (item) {
        var li = document.createElement("li");
        li.appendChild(link(item[0], item[1]));
        menu.appendChild(li);
      });
      // python.org's "Sponsorships Dashboard" entry, for users with a visible sponsorship:
      // /users/me does not say, so the menu asks the sponsors API (logged-in visitors only).
      var nominations = menu.lastChild;
      P.api("GET", "/sponsors/me/sponsorships?limit=1").then(function (result) {
        if (!result.ok || !result.data || !result.data.meta || result.data.meta.total < 1) return;
        var li = document.createElement("li");
        li.appendChild(link("/users/sponsorships/", "Sponsorships Dashboard"));
        menu.insertBefore(li, nominations.nextSibling);
      }).catch(function () { /* the menu stays without it */ });
      var last = document.createElement("li");
      var signout = document.createElement("button");
      signout.type = "button";
      signout.className = "account-signout";
      signout.textContent = "Sign out";
      function home() { window.location.assign("/"); }
      signout.addEventListener("click", function () {
        // python.org's log-out lands on the home page, whatever happened.
        P.api("POST", "/auth/logout").then(home, home);
      });
      last.appendChild(signout);
      menu.appendChild(last);
      bar.appendChild(toggle);
      bar.appendChild(menu);
      function setOpen(open) {
        toggle.setAttribute("aria-expanded", String(open));
        menu.hidden = !open;
      }
      toggle.addEventListener("click", function () { setOpen(menu.hidden); });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && !menu.hidden) {
          setOpen(false);
          toggle.focus();
        }
      });
      document.addEventListener("click", function (event) {
        if (!bar.contains(event.target)) setOpen(false);
      });
    }
  }

  // The home page's code samples: one slide at a time, with previous/next buttons.
  function codeSamples(carousel) {
    if (!carousel) return;
    var slides = carousel.querySelectorAll(".code-sample");
    if (slides.length < 2) return;
    var current = 0;
    var controls = document.createElement("div");
    controls.className = "code-samples-controls";
    function show(index) {
      current = (index + slides.length) % slides.length;
      Array.prototype.forEach.call(slides, function (slide, i) { slide.hidden = i !== current; });
    }
    [["Previous code sample", "‹ Previous", -1], ["Next code sample", "Next ›", 1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("aria-label", spec[0]);
      button.textContent = spec[1];
      button.addEventListener("click", function () { show(current + spec[2]); });
      controls.appendChild(button);
    });
    carousel.appendChild(controls);
  }

  // Reveal the block for the visitor's platform (".download-os-<os>") and hide the generic one.
  function showDownloadFor(scope, os) {
    var block = os && (scope.querySelector('.download-os[data-os="' + os + '"]') ||
                       scope.querySelector(".download-os-" + os));
    if (block) {
      block.hidden = false;
      var generic = scope.querySelector(".download-unknown");
      if (generic) generic.hidden = true;
    }
  }
})();
