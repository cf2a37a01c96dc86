"""python.org's legacy redirects (inventory appendix A) as one table, and what is generated from it.

The table is the only place these rules live. ``resolve`` answers a request path the way
python.org's nginx did; ``nginx_conf`` renders the table as ``location`` blocks for the static
origin (``deploy/origin/redirects.conf``), ``fastly_vcl`` / ``fastly_vcl_error`` as the two Fastly
snippets that answer the same redirects at the edge (``deploy/fastly/snippets/redirects-*.vcl``);
``python -m sitebuilder.redirects nginx|vcl|vcl-error`` prints them and ``... write`` rewrites the
three committed files. ``tests/site/test_redirects.py`` fails when those files drift from the table.

Precedence is nginx's, for the location kinds python.org's config used:

1. an ``exact`` rule for the path (nginx ``location = /p``);
2. otherwise the ``regex`` rules in table order, first match wins (``location ~ re``);
3. otherwise the longest ``prefix`` rule that the path starts with (``location /p``).

python.org declared its prefix rules as plain prefix locations (not ``^~``), so every matching
regex overrides them: ``/peps/pep-0008.html`` is answered by ``^/peps/pep-(.*)\\.html$`` (301), not
by the ``/peps/`` prefix (302). The generated nginx and VCL keep that order by emitting exact
rules, then regexes, then prefixes longest first (see ``effective_order``).

Paths are matched decoded (nginx matches ``$uri``, not the raw request line). Targets on
www.python.org are written as paths, so the ``Location`` is relative and right on any host
(staging, local); other hosts are kept as python.org wrote them, ``http://`` included. A target
may use the regex groups of its rule as ``$1`` … ``$9`` (nginx's syntax): that is how "the rest
of the path is kept". ``keep_query`` appends the request's query string (``/pypi…`` only).

Deliberate differences from python.org's ``config/nginx.conf``:

- ``/psf/archive/codeofconduct``, ``/psf/codeofconduct``, ``/psf/conduct`` and its
  ``enforcement`` / ``reporting`` pages were written there as ``location ^/psf/conduct/?$``:
  without ``~`` that is a literal prefix starting with ``^``, which no URI matches, so those 302s
  never fired. They are regexes here, as appendix A describes them.
- ``location ^/(dev/)?peps(/.*)?$`` (to peps.python.org/) was dead the same way, and appendix A
  does not list it; as a regex it would also take ``/peps/`` away from its documented 302 to
  ``/dev/peps/``. It is left out.
- ``/~guido`` was ``^/~guido(.*)`` to ``https://gvanrossum.github.io/$1``, which doubles the
  slash (``/~guido/x`` to ``…github.io//x``); here an optional slash after ``~guido`` is eaten.
- ``/dev/peps/peps.rss`` escapes its dot; ``/doc/faq/design/`` goes to https like its siblings.
- ``/download/``, ``/download/source/``, ``/download/mac/`` and ``/download/windows/`` were the
  regexes ``^/download/$`` etc.; they are ``exact`` rules here, which answers identically (no
  other rule matches those paths) and reads as what they are.
- ``/mailman-bugs/`` and ``/python-bugs/`` duplicated the ``/mailman-bugs`` and ``/python-bugs``
  prefixes with the same targets; one prefix each covers both.
- ``keep_query`` appends ``?<query>`` only when there is one (python.org's ``…$1?$args`` always
  ended in ``?``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal

from sitebuilder import deployfiles

Kind = Literal["exact", "prefix", "regex"]
Status = Literal[301, 302]

_GROUP_REF = re.compile(r"\$(\d)")
# Characters that would need quoting in an nginx location/return or a VCL string literal
# ("%" starts an escape in VCL strings). None of python.org's rules has one; refuse rather
# than emit a broken config.
_UNSAFE_FOR_CONFIG = re.compile(r"""[\s;{}"'%\\]""")
_REGEX_SPECIAL = re.compile(r"([.^$|?*+()\[\]{}\\])")


@dataclass(frozen=True, slots=True)
class Redirect:
    """One legacy redirect: requests matching ``pattern`` (as ``kind``) go to ``target``."""

    kind: Kind
    pattern: str
    target: str
    status: Status = 301
    keep_query: bool = False
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind == "regex":
            if not self.pattern.startswith("^/"):
                raise ValueError(f"regex rule {self.pattern!r} must be anchored at the start of the path")
            regex = re.compile(self.pattern)
            groups = regex.groups
            object.__setattr__(self, "_regex", regex)
        else:
            if not self.pattern.startswith("/"):
                raise ValueError(f"{self.kind} rule {self.pattern!r} must start with a slash")
            groups = 0
        refs = [int(n) for n in _GROUP_REF.findall(self.target)]
        if any(n < 1 or n > groups for n in refs):
            raise ValueError(f"target {self.target!r} refers to a group {self.pattern!r} does not have")
        if "$" in _GROUP_REF.sub("", self.target):
            raise ValueError(f"target {self.target!r} has a '$' that is not a group reference")
        if self.keep_query and "?" in self.target:
            raise ValueError(f"target {self.target!r} has a query string and keeps the request's")
        for text in (self.pattern, self.target):
            if _UNSAFE_FOR_CONFIG.search(text.replace("\\.", "")):
                raise ValueError(f"{text!r} cannot be written into the nginx/VCL configuration as is")

    def location_for(self, path: str) -> str | None:
        """The target for ``path`` with groups filled in, or ``None`` if the rule does not match
        (on its own: precedence between rules is ``resolve``'s business)."""
        if self.kind == "exact":
            return self.target if path == self.pattern else None
        if self.kind == "prefix":
            return self.target if path.startswith(self.pattern) else None
        assert self._regex is not None
        found = self._regex.search(path)
        if found is None:
            return None
        return _GROUP_REF.sub(lambda ref: found.group(int(ref.group(1))) or "", self.target)


def exact(pattern: str, target: str, status: Status = 301) -> Redirect:
    return Redirect("exact", pattern, target, status)


def prefix(pattern: str, target: str, status: Status = 301) -> Redirect:
    return Redirect("prefix", pattern, target, status)


def regex(pattern: str, target: str, status: Status = 301, *, keep_query: bool = False) -> Redirect:
    return Redirect("regex", pattern, target, status, keep_query)


_WIKI = "https://wiki.python.org/moin"
_CODE_OF_CONDUCT = "https://policies.python.org/python.org/code-of-conduct/"

# In the order of python.org's config/nginx.conf (the order matters among the regexes only).
REDIRECTS: tuple[Redirect, ...] = (
    # Personal pages.
    regex(r"^/~(barry|bwarsaw)$", "http://barry.warsaw.us/"),
    regex(r"^/~guido/?(.*)$", "https://gvanrossum.github.io/$1"),
    # Community, PSF and topic pages of the old site.
    prefix("/consortium", "/psf"),
    prefix("/psf/codeofconduct", "/psf/conduct"),
    prefix("/topics/xml", "http://pyxml.sourceforge.net/topics"),
    prefix("/topics/web", f"{_WIKI}/WebProgramming"),
    prefix("/topics/database", f"{_WIKI}/DatabaseProgramming"),
    prefix("/doc/topics/database", f"{_WIKI}/DatabaseProgramming"),
    prefix("/audio", f"{_WIKI}/Audio"),
    prefix("/contact.html", "/community"),
    prefix("/community/psf", "/psf"),
    regex(r"^/community-landing/?(.*)$", "/community/"),
    # Documentation.
    prefix("/doc/Summary", "http://legacy.python.org/doc/intros/summary"),
    prefix("/doc/NonEnglish.html", f"{_WIKI}/Languages"),
    prefix("/doc/nonenglish/", f"{_WIKI}/Languages"),
    prefix("/doc/Intros.html", "/about/gettingstarted/"),
    *(
        prefix(f"/doc/faq/{name}/", f"https://docs.python.org/faq/{name}")
        for name in (
            "installed",
            "gui",
            "windows",
            "extending",
            "library",
            "design",
            "programming",
            "general",
        )
    ),
    prefix("/dev/lists.html", "/community/lists"),
    prefix("/dev/doc/devel", "https://docs.python.org/dev"),
    prefix("/security", "/news/security"),
    prefix("/sigs", "/community/sigs"),
    # Jobs, help, news.
    prefix("/Jobs.html", "/jobs/"),
    regex(r"^/newjobs(.*)$", "/jobs$1"),
    prefix("/Help.html", "/about/help"),
    prefix("/help", "/about/help"),
    prefix("/News.html", "/news"),
    # Downloads.
    prefix("/2.2.3/descrintro.html", "/download/releases/2.2.3/descrintro/"),
    prefix("/download/download_linux.html", "/download/linux"),
    prefix("/download/download_mac.html", "/download/mac"),
    prefix("/download/download_os2.html", "/download/other"),
    prefix("/download/download_other.html", "/download/other"),
    prefix("/download/download_source.html", "/download/source"),
    prefix("/download/download_win31.html", "/download/windows"),
    prefix("/download/download_windows.html", "/download/windows"),
    prefix("/windows/", "/download/windows/"),
    exact("/download/", "/downloads/"),
    exact("/download/source/", "/downloads/source/"),
    exact("/download/mac/", "/downloads/macos/"),
    exact("/download/windows/", "/downloads/windows/"),
    prefix("/Mirrors.html", "/mirrors/"),
    prefix("/Mirrors", "/mirrors/"),
    # Wiki, HOWTOs, old feeds.
    prefix("/cgi-bin/moinmoin", "https://wiki.python.org/moin"),
    prefix("/doc/howto/", "https://docs.python.org/dev/howto/index.html"),
    prefix("/doc/Comparisons.html", f"{_WIKI}/LanguageComparisons"),
    prefix("/python.rdf", "http://legacy.python.org/channews.rdf"),
    # Bug trackers, mailing lists, PyPI.
    prefix("/mailman-bugs", "http://sourceforge.net/bugs/?group_id=103"),
    prefix("/python-bugs", "http://bugs.python.org/"),
    prefix("/jpython", "http://www.jython.org/"),
    regex(r"^/mailman/(.*)$", "https://mail.python.org/mailman/$1"),
    regex(r"^/pipermail/(.*)$", "https://mail.python.org/pipermail/$1"),
    regex(r"^/pypi(.*)$", "https://pypi.python.org/pypi$1", keep_query=True),
    # PEPs: /peps/pep-N.html -> /dev/peps/pep-N/ -> peps.python.org/pep-N/.
    regex(r"^/dev/peps/peps\.rss/?$", "https://peps.python.org/peps.rss/"),
    regex(r"^/peps/pep-(.*)\.html$", "/dev/peps/pep-$1/"),
    prefix("/peps/", "/dev/peps/", 302),
    regex(r"^/dev/peps/?(.*)$", "https://peps.python.org/$1", 302),
    regex(r"^/peps/(.*)\.html$", "https://peps.python.org/$1", 302),
    # SourceForge issue numbers.
    regex(r"^/sf/(.*)$", "https://bugs.python.org/issue$1", 302),
    # News and blog.
    prefix("/news/", "/blogs/", 302),
    prefix("/blog/", "https://python.org/blogs/"),
    # Code of conduct.
    regex(r"^/psf/archive/codeofconduct/?$", _CODE_OF_CONDUCT, 302),
    regex(r"^/psf/codeofconduct/?$", _CODE_OF_CONDUCT, 302),
    regex(r"^/psf/conduct/?$", _CODE_OF_CONDUCT, 302),
    regex(r"^/psf/conduct/enforcement/?$", f"{_CODE_OF_CONDUCT}Enforcement-Procedures/", 302),
    regex(r"^/psf/conduct/reporting/?$", f"{_CODE_OF_CONDUCT}Procedures-for-Reporting-Incidents/", 302),
)


def _index(rules: tuple[Redirect, ...]) -> tuple[dict[str, Redirect], list[Redirect], list[Redirect]]:
    exacts: dict[str, Redirect] = {}
    for rule in rules:
        if rule.kind == "exact":
            if rule.pattern in exacts:
                raise ValueError(f"two exact rules for {rule.pattern!r}")
            exacts[rule.pattern] = rule
    prefixes = sorted((r for r in rules if r.kind == "prefix"), key=lambda r: len(r.pattern), reverse=True)
    if len({r.pattern for r in prefixes}) != len(prefixes):
        raise ValueError("two prefix rules with the same pattern")
    regexes = [r for r in rules if r.kind == "regex"]
    return exacts, prefixes, regexes


_EXACT, _PREFIXES, _REGEXES = _index(REDIRECTS)


def find(path: str) -> tuple[Redirect, str] | None:
    """The rule nginx would pick for the decoded ``path`` and its location (without query)."""
    rule = _EXACT.get(path)
    if rule is not None:
        return rule, rule.target
    # nginx remembers the longest matching prefix, then tries the regexes; a plain prefix
    # location only answers when no regex matched.
    longest = next((r for r in _PREFIXES if path.startswith(r.pattern)), None)
    for rule in _REGEXES:
        location = rule.location_for(path)
        if location is not None:
            return rule, location
    return (longest, longest.target) if longest is not None else None


def resolve(path: str, query: str = "") -> tuple[int, str] | None:
    """``(status, location)`` for a legacy URL, or ``None`` when no rule applies.

    ``path`` is the decoded request path, ``query`` the raw query string without ``?``."""
    found = find(path)
    if found is None:
        return None
    rule, location = found
    if rule.keep_query and query:
        location = f"{location}?{query}"
    return rule.status, location


def effective_order() -> list[Redirect]:
    """The rules as one first-match-wins list that answers exactly like ``find``: exact rules
    (they never overlap), then the regexes in table order, then the prefixes longest first."""
    return [*_EXACT.values(), *_REGEXES, *_PREFIXES]


# --- generated deploy files ----------------------------------------------------------------------

_GENERATED_BY = (
    "Generated by `python -m sitebuilder.redirects {command}` from site-builder/sitebuilder/redirects.py."
)
_DO_NOT_EDIT = "Do not edit: change the table there and regenerate (`... write`); a test fails on drift."

# Cache headers for the redirects, as deploy/origin/nginx.conf sends them on a 301/302.
_CACHE_CONTROL = {301: "public, max-age=300", 302: "no-store"}


def _prefix_regex(pattern: str) -> str:
    return "^" + _REGEX_SPECIAL.sub(r"\\\1", pattern)


def nginx_conf() -> str:
    """``location`` blocks for the server block of deploy/origin/nginx.conf."""
    lines = [
        f"# {_GENERATED_BY.format(command='nginx')}",
        f"# {_DO_NOT_EDIT}",
        "#",
        "# python.org's legacy redirects (inventory appendix A). nginx.conf includes this file",
        "# inside its server block before its own regex locations, which must stay after it.",
        "#",
        "# Prefix rules are written as anchored regexes, after the real regexes and longest first.",
        "# That answers like python.org's plain prefix locations (any matching regex overrode them:",
        "# /peps/pep-0008.html is the 301 rule, not the /peps/ 302), and unlike plain prefixes they",
        "# also win over nginx.conf's own `location ~ [^/]$`. `absolute_redirect off` in nginx.conf",
        "# keeps the Location of same-site targets relative.",
        "",
    ]
    for rule in effective_order():
        if rule.kind == "exact":
            head = f"location = {rule.pattern}"
        elif rule.kind == "regex":
            head = f"location ~ {rule.pattern}"
        else:
            head = f"location ~ {_prefix_regex(rule.pattern)}"
        target = rule.target + ("$is_args$args" if rule.keep_query else "")
        lines += [f"{head} {{", f"    return {rule.status} {target};", "}"]
    return "\n".join(lines) + "\n"


_STATUS_HEADER = "X-Pydotorg-Redirect-Status"
_LOCATION_HEADER = "X-Pydotorg-Redirect-Location"
_ERROR_RESPONSE = "pydotorg-redirect"


def _vcl_target(target: str) -> str:
    """A VCL string expression for ``target``: literals joined with ``re.group.N``."""
    parts: list[str] = []
    for i, piece in enumerate(_GROUP_REF.split(target)):
        if i % 2:
            parts.append(f"re.group.{piece}")
        elif piece:
            parts.append(f'"{piece}"')
    return " ".join(parts) or '""'


def fastly_vcl() -> str:
    """The ``recv`` snippet: flags a legacy URL and raises ``error 618`` for ``fastly_vcl_error``."""
    lines = [
        "# Fastly VCL snippet -- type: recv, name: pydotorg-redirects, priority: 5.",
        f"# {_GENERATED_BY.format(command='vcl')}",
        f"# {_DO_NOT_EDIT}",
        "#",
        "# python.org's legacy redirects, answered at the edge (the origin's redirects.conf has the",
        "# same rules). Priority 5 runs this before pydotorg-recv, which reduces req.url to its path",
        "# and so would drop the query string /pypi... keeps. The matching rule's status and location",
        f"# go into {_STATUS_HEADER} / {_LOCATION_HEADER} and error 618",
        f'# "{_ERROR_RESPONSE}" hands them to redirects-error.vcl. First match wins: exact paths,',
        "# then the regexes in python.org's order, then prefixes longest first. req.url.path is not",
        "# percent-decoded; an encoded legacy URL falls through to the origin, which decodes it.",
        "",
        f"unset req.http.{_STATUS_HEADER};",
        f"unset req.http.{_LOCATION_HEADER};",
        'if (req.method != "FASTLYPURGE") {',
    ]
    for i, rule in enumerate(effective_order()):
        if rule.kind == "exact":
            condition = f'req.url.path == "{rule.pattern}"'
        elif rule.kind == "regex":
            condition = f'req.url.path ~ "{rule.pattern}"'
        else:
            condition = f'std.prefixof(req.url.path, "{rule.pattern}")'
        keyword = "if" if i == 0 else "} elsif"
        lines += [
            f"  {keyword} ({condition}) {{",
            f'    set req.http.{_STATUS_HEADER} = "{rule.status}";',
            f"    set req.http.{_LOCATION_HEADER} = {_vcl_target(rule.target)};",
        ]
        if rule.keep_query:
            lines += [
                '    if (req.url.qs != "") {',
                f'      set req.http.{_LOCATION_HEADER} = req.http.{_LOCATION_HEADER} "?" req.url.qs;',
                "    }",
            ]
    lines += [
        "  }",
        f"  if (req.http.{_LOCATION_HEADER}) {{",
        f'    error 618 "{_ERROR_RESPONSE}";',
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def fastly_vcl_error() -> str:
    """The ``error`` snippet: turns ``fastly_vcl``'s 618 into the 301/302 with its Location."""
    statuses = sorted({rule.status for rule in REDIRECTS})
    lines = [
        "# Fastly VCL snippet -- type: error, name: pydotorg-redirects-error, priority: 10.",
        f"# {_GENERATED_BY.format(command='vcl-error')}",
        f"# {_DO_NOT_EDIT}",
        "#",
        "# Turns the synthetic 618 raised by redirects-recv.vcl into the legacy redirect it found.",
        "# Cache-Control as the origin sends it on the same redirect.",
        f'if (obj.status == 618 && obj.response == "{_ERROR_RESPONSE}") {{',
    ]
    for i, status in enumerate(statuses):
        if i == 0:
            lines.append(f'  if (req.http.{_STATUS_HEADER} == "{status}") {{')
        elif i < len(statuses) - 1:
            lines.append(f'  }} elsif (req.http.{_STATUS_HEADER} == "{status}") {{')
        else:
            lines.append("  } else {")
        lines += [
            f"    set obj.status = {status};",
            f'    set obj.response = "{HTTPStatus(status).phrase}";',
            f'    set obj.http.Cache-Control = "{_CACHE_CONTROL[status]}";',
        ]
    lines += [
        "  }",
        f"  set obj.http.Location = req.http.{_LOCATION_HEADER};",
        '  synthetic {""};',
        "  return(deliver);",
        "}",
    ]
    return "\n".join(lines) + "\n"


# Committed files generated from the table, relative to the repository root.
DEPLOY_FILES: dict[str, Callable[[], str]] = {
    "deploy/origin/redirects.conf": nginx_conf,
    "deploy/fastly/snippets/redirects-recv.vcl": fastly_vcl,
    "deploy/fastly/snippets/redirects-error.vcl": fastly_vcl_error,
}

_COMMANDS: dict[str, Callable[[], str]] = {
    "nginx": nginx_conf,
    "vcl": fastly_vcl,
    "vcl-error": fastly_vcl_error,
}


def main(argv: list[str] | None = None) -> int:
    return deployfiles.run(
        argv,
        prog="python -m sitebuilder.redirects",
        description="Print the legacy redirects as nginx or Fastly VCL, or rewrite the deploy files.",
        commands=_COMMANDS,
        deploy_files=DEPLOY_FILES,
    )


if __name__ == "__main__":
    raise SystemExit(main())
