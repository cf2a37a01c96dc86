/* The site search page, /search/ (python.org's search page; sitebuilder/sections/search.py).

   The search is the page's URL: ?q= the words, &type= one result type (a facet), &page= the page
   of results. Opening the URL, submitting the page's form, following a facet or a pager link and
   going back or forward all come down to render(), which reads the URL, asks
   GET /api/v3/search on this origin and shows the answer; the form and the links change the URL
   with history.pushState, so the back button returns to the earlier results.

   Every value of the answer is set as text or as an attribute, except the excerpt: the API sends
   it as escaped text whose only tags are the <mark>s it added around the matched words. A
   result's URL is followed only when it is a path on this site or an http(s) address (blog
   posts live on blog.python.org); anything else shows the title without a link. */
(function () {
  "use strict";

  var P = window.pydotorg;  // the shared helpers (site.js)
  var PAGE_PATH = "/search/";
  var MAX_PAGE = 50;  // the API's last page
  var UNAVAILABLE = "Search is unavailable right now, please try again shortly.";
  // What a result says it is, before its title (python.org's "Release – Python 3.12.4").
  var KINDS = {
    release: "Release",
    calendar: "Calendar",
    event: "Event",
    job: "Job",
    jobtype: "Job type",
    jobcategory: "Job category",
    page: "Page",
    story: "Success story",
    post: "Community",
    minutes: "PSF Minutes",
    blog: "Blog post"
  };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];

  // The search a URL asks for: q trimmed, type or null, the page number (1 unless it is a
  // whole number; one past the API's last page is the API's to refuse, with its message).
  function stateOf(search) {
    var params = new URLSearchParams(search);
    var page = /^\d{1,6}$/.test(params.get("page") || "") ? Number(params.get("page")) : 1;
    return {
      q: (params.get("q") || "").trim(),
      type: params.get("type") || null,
      page: page >= 1 ? page : 1
    };
  }

  // The page's URL for a search; page 1 and "every type" are left out, so links stay short.
  function urlOf(state) {
    var params = new URLSearchParams();
    params.set("q", state.q);
    if (state.type) params.set("type", state.type);
    if (state.page > 1) params.set("page", String(state.page));
    return PAGE_PATH + "?" + params.toString();
  }

  // python.org's long date: "2024-06-06" -> "6 June 2024"; anything else is shown as it came.
  function longDate(value) {
    var match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
    if (!match) return value || "";
    return Number(match[3]) + " " + MONTHS[Number(match[2]) - 1] + " " + match[1];
  }

  // Where a result's title links: a path on this site (through the site's one URL gate) or an
  // http(s) address; null for anything else.
  function resultHref(url) {
    if (typeof url !== "string") return null;
    if (/^https?:\/\//i.test(url)) {
      var parsed;
      try {
        parsed = new URL(url);
      } catch (e) {
        return null;
      }
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    }
    var local = P.safeNext(url, "#");  // "#" is the gate's answer for anything not on this site
    return local === "#" ? null : local;
  }

  function element(tag, className, value) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (value !== undefined) P.text(el, value);
    return el;
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function searchPage(main) {
    var form = main.querySelector(".search-page-form");
    var field = form.elements.q;
    var status = main.querySelector(".search-status");
    var problem = main.querySelector(".search-error");
    var corrected = main.querySelector(".search-corrected");
    var facets = main.querySelector(".search-facets");
    var facetList = main.querySelector(".search-facet-list");
    var results = main.querySelector(".search-results");
    var heading = main.querySelector(".search-results-title");
    var list = main.querySelector(".search-result-list");
    var none = main.querySelector(".search-none");
    var pager = main.querySelector(".search-pager");
    var docsLink = main.querySelector(".search-docs-link");
    var asked = 0;  // the latest request: an older answer arriving late is dropped

    function clear() {
      problem.hidden = true;
      P.text(problem, "");
      corrected.hidden = true;
      facets.hidden = true;
      facetList.textContent = "";
      results.hidden = true;
      list.textContent = "";
      none.hidden = true;
      pager.hidden = true;
    }

    function fail(message) {
      clear();
      P.text(status, "");
      P.text(problem, message);
      problem.hidden = false;
    }

    // A link to another search on this page, followed in place (a click without a modifier key:
    // opening it in a new tab or window still works as an ordinary link).
    function searchLink(state, label) {
      var a = P.link(urlOf(state), label);
      a.addEventListener("click", function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(state, true);
      });
      return a;
    }

    // Shows another search and makes it the page's URL (a history entry). After a facet or pager
    // link, which the new results replace, the focus goes to the results' heading; after the
    // form, it stays in the field and the status line announces the count.
    function navigate(state, fromLink) {
      var target = urlOf(state);
      if (target !== window.location.pathname + window.location.search) {
        window.history.pushState(null, "", target);
      }
      render().then(function () {
        if (fromLink) (results.hidden ? problem : heading).focus();
      });
    }

    function showFacets(state, data) {
      var all = 0;
      (data.facets || []).forEach(function (facet) { all += facet.count; });
      if (!all) return;
      var items = [{ type: null, label: "All results", count: all }].concat(data.facets);
      items.forEach(function (facet) {
        if (!facet.count && facet.type !== state.type) return;
        var li = element("li", "search-facet");
        var label = facet.label + " (" + facet.count + ")";
        if (facet.type === state.type) {
          var current = element("span", "search-facet-current", label);
          current.setAttribute("aria-current", "true");
          li.appendChild(current);
        } else {
          li.appendChild(searchLink({ q: state.q, type: facet.type, page: 1 }, label));
        }
        facetList.appendChild(li);
      });
      facets.hidden = false;
    }

    function showResult(result) {
      var li = element("li", "search-result search-result-" + String(result.type).replace(/[^a-z]/g, ""));
      var title = element("h3", "search-result-title");
      var kind = KINDS[result.type] || result.type;
      title.appendChild(element("span", "search-result-type", kind));
      title.appendChild(document.createTextNode(" \u2013 "));
      var href = resultHref(result.url);
      if (href) {
        title.appendChild(P.link(href, result.title));
      } else {
        title.appendChild(element("span", "search-result-name", result.title));
      }
      li.appendChild(title);
      if (result.date || result.detail) {
        var meta = element("p", "search-result-meta");
        if (result.date) {
          var time = element("time", null, longDate(result.date));
          time.setAttribute("datetime", String(result.date).slice(0, 10));
          meta.appendChild(time);
        }
        if (result.date && result.detail) meta.appendChild(document.createTextNode(" \u00b7 "));
        if (result.detail) meta.appendChild(element("span", "search-result-detail", result.detail));
        li.appendChild(meta);
      }
      if (result.excerpt) {
        var excerpt = element("p", "search-result-excerpt");
        // The one HTML the page inserts: the API escapes the text and adds only <mark> tags.
        excerpt.innerHTML = result.excerpt;
        li.appendChild(excerpt);
      }
      list.appendChild(li);
    }

    function showPager(state, data) {
      if (data.pages <= 1) return;
      var previous = pager.querySelector(".search-pager-previous");
      var position = pager.querySelector(".search-pager-position");
      var next = pager.querySelector(".search-pager-next");
      previous.textContent = "";
      next.textContent = "";
      if (data.page > 1) {
        var back = searchLink({ q: state.q, type: state.type, page: data.page - 1 }, "\u00ab Previous");
        back.rel = "prev";
        previous.appendChild(back);
      }
      previous.hidden = data.page <= 1;
      P.text(position, "Page " + data.page + " of " + data.pages);
      if (data.page < data.pages && data.page < MAX_PAGE) {
        var forward = searchLink({ q: state.q, type: state.type, page: data.page + 1 }, "Next \u00bb");
        forward.rel = "next";
        next.appendChild(forward);
      }
      next.hidden = !next.firstChild;
      pager.hidden = false;
    }

    function show(state, data) {
      clear();
      var shownQuery = data.corrected || data.query || state.q;
      if (data.corrected) {
        P.text(corrected.querySelector(".search-corrected-query"), data.corrected);
        corrected.hidden = false;
      }
      showFacets(state, data);
      results.hidden = false;
      (data.results || []).forEach(showResult);
      var label = null;
      (data.facets || []).forEach(function (facet) { if (facet.type === state.type) label = facet.label; });
      var scope = label ? " in " + label : "";
      if (!data.total) {
        none.hidden = false;
        P.text(status, "No results for \u201c" + shownQuery + "\u201d" + scope + ".");
      } else {
        var where = data.pages > 1 ? ", page " + data.page + " of " + data.pages : "";
        P.text(status, plural(data.total, "result", "results") + " for \u201c" + shownQuery + "\u201d" + scope + where + ".");
      }
      showPager(state, data);
    }

    // Shows the search the URL asks for. Resolves once the answer (or the failure) is shown.
    function render() {
      var state = stateOf(window.location.search);
      field.value = state.q;
      docsLink.href = "https://docs.python.org/3/search.html" + (state.q ? "?q=" + encodeURIComponent(state.q) : "");
      document.title = (state.q ? state.q + " | " : "") + "Search Python.org | Python.org";
      var ticket = ++asked;
      if (!state.q) {
        clear();
        P.text(status, "");
        return Promise.resolve();
      }
      var params = new URLSearchParams({ q: state.q, page: String(state.page) });
      if (state.type) params.set("type", state.type);
      P.text(status, "Searching\u2026");
      return P.api("GET", "/search?" + params.toString()).then(function (answer) {
        if (ticket !== asked) return;
        if (answer.ok && answer.data) return show(state, answer.data);
        // A request the API refuses (an empty or too long query, an unknown type, a page past the
        // last) says why, field by field ("q: Use at most 200 characters ..."); anything else
        // (503: the engine is down) is the same "try again".
        var refused = answer.status >= 400 && answer.status < 500 && answer.status !== 429;
        fail(refused && answer.data ? P.problems(answer.data).join(" ") : UNAVAILABLE);
      }, function () {
        if (ticket === asked) fail(UNAVAILABLE);
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = field.value.trim();
      if (!q) {
        field.focus();
        return;
      }
      // A new query searches every type again, from its first page.
      navigate({ q: q, type: null, page: 1 }, false);
    });
    window.addEventListener("popstate", function () { render(); });

    render();
    field.focus();
  }

  P.runApp({ search: searchPage });
})();
