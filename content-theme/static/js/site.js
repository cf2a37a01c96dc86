/* python.org theme: mobile menu toggle and the download button for the visitor's platform. */
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

    var os = detectOs();
    var block = os && document.querySelector('.download-os[data-os="' + os + '"]');
    if (block) {
      block.hidden = false;
      var generic = document.querySelector(".download-unknown");
      if (generic) generic.hidden = true;
    }
  });
})();
