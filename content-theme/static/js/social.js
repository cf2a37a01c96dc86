/* "Sign in with GitHub" (or Google) on the log-in and sign-up pages, and "Connect with GitHub"
   on /accounts/social/connections/: one link per provider the API has configured
   (GET /api/v3/auth/providers; none when it lists none, so the block stays hidden). A link
   starts the provider's flow at the API, which comes back to the box's data-next, else to the
   page's ?next= (a path on this site through window.pydotorg.sitePath; the API checks it again).
   A browser that starts the flow logged in connects the provider to its account. */
(function () {
  "use strict";

  var P = window.pydotorg;  // the shared helpers (site.js)

  function start() {
    var box = document.querySelector(".social-sign-in");
    if (!box) return;
    var list = box.querySelector("ul");
    var verb = box.getAttribute("data-verb") || "Sign in";
    var next = P.sitePath(box.getAttribute("data-next") || P.param("next"));
    P.api("GET", "/auth/providers")
      .then(function (result) {
        var providers = result.ok && Array.isArray(result.data) ? result.data : [];
        providers.forEach(function (provider) {
          // Only the API's own start URLs become links.
          if (!/^\/api\/v3\/auth\/oauth\/[a-z]+\/authorize$/.test(provider.authorize_url)) return;
          var link = P.link(provider.authorize_url + "?next=" + encodeURIComponent(next),
            verb + " with " + provider.label);
          link.className = "button social-sign-in-" + provider.name;
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
