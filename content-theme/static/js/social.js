/* "Sign in with GitHub / Google" on the log-in and sign-up pages: one link per provider the API
   has configured (GET /api/v3/auth/providers; none when it lists none, so the block stays hidden).
   A link starts the provider's flow at the API, which comes back to ?next= (a path on this site;
   the API checks it again). */
(function () {
  "use strict";

  // A path on this origin: one "/" not followed by "/" or "\", no whitespace or control
  // characters (the API's rule for next=, core/urls.py); anything else means the home page.
  function sitePath(value) {
    if (typeof value !== "string" || !/^\/(?![\/\\])[^\s\\\u0000-\u001f\u007f]*$/.test(value)) return "/";
    return value;
  }

  function start() {
    var box = document.querySelector(".social-sign-in");
    if (!box) return;
    var list = box.querySelector("ul");
    var verb = box.getAttribute("data-verb") || "Sign in";
    var next = sitePath(new URLSearchParams(window.location.search).get("next"));
    fetch("/api/v3/auth/providers", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (providers) {
        providers.forEach(function (provider) {
          // Only the API's own start URLs become links.
          if (!/^\/api\/v3\/auth\/oauth\/[a-z]+\/authorize$/.test(provider.authorize_url)) return;
          var link = document.createElement("a");
          link.className = "button social-sign-in-" + provider.name;
          link.href = provider.authorize_url + "?next=" + encodeURIComponent(next);
          link.textContent = verb + " with " + provider.label;
          var item = document.createElement("li");
          item.appendChild(link);
          list.appendChild(item);
        });
        if (list.children.length) box.hidden = false;
      })
      .catch(function () { /* no providers shown: the password forms still work */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
