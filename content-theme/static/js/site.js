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
