"""python.org's fixed landing pages that show no data (inventory 0.3): ``/docs-landing/``,
``/pypl-landing/`` and ``/shop-landing/`` (python.org's "Wait for it…" placeholder, with each
section's body class; ``noindex`` and not in the sitemap) and ``/community/microbit/``
(MicroPython on the BBC micro:bit). They read nothing from the API, so no change re-renders them;
a theme change does, like every page.

python.org's ``/inner/``, the style guide of its old theme's CSS classes for editors, is not built:
those classes are not this theme's (docs/decisions.md)."""

from __future__ import annotations

from sitebuilder.outputs import Output
from sitebuilder.sections.base import Section, Site

# (URL directory, python.org's body class, links for the visitor meanwhile)
WAIT_FOR_IT: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "docs-landing",
        "python docs",
        (("/doc/", "the documentation"), ("https://docs.python.org/3/", "docs.python.org")),
    ),
    ("pypl-landing", "pypl", (("https://pypi.org/", "the Python Package Index (PyPI)"),)),
    ("shop-landing", "shop", ()),
)
MICROBIT_PATH = "community/microbit/index.html"


def plan(site: Site) -> list[Output]:
    outputs = [
        Output(
            f"{directory}/index.html",
            "landings/waitforit.html",
            {
                "landing": body_class,
                "meanwhile": [{"url": url, "label": label} for url, label in meanwhile],
                "noindex": True,  # a placeholder: not in the sitemap (sections/sitemap.py)
            },
        )
        for directory, body_class, meanwhile in WAIT_FOR_IT
    ]
    outputs.append(Output(MICROBIT_PATH, "landings/microbit.html", {}))
    return outputs


SECTION = Section("landings", plan=plan)
