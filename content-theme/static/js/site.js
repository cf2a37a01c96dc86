/* python.org theme: mobile menu toggle, the download button for the visitor's platform and the
   header's account menu. */
(function () {
  "use strict";
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
    function link(href, label) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = label;
      return a;
    }
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
    if (!/(?:^|; )pydotorg_csrf=[^;]/.test(document.cookie)) return anonymous();
    fetch("/api/v3/users/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (me) { return me ? signedIn(bar, me) : anonymous(); })
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
        ["/users/membership/", me.has_membership ? "Edit your PSF Basic membership" : "Become a PSF Basic member"],
        ["/users/nominations/", "Nominations"]
      ].filter(Boolean).forEach(function (item) {
        var li = document.createElement("li");
        li.appendChild(link(item[0], item[1]));
        menu.appendChild(li);
      });
      var last = document.createElement("li");
      var signout = document.createElement("button");
      signout.type = "button";
      signout.className = "account-signout";
      signout.textContent = "Sign out";
      function home() { window.location.assign("/"); }
      signout.addEventListener("click", function () {
        var csrf = document.cookie.match(/(?:^|; )pydotorg_csrf=([^;]*)/);
        fetch("/api/v3/auth/logout", {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRF-Token": csrf ? decodeURIComponent(csrf[1]) : "" }
        }).then(home, home);  // python.org's log-out lands on the home page, whatever happened
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
