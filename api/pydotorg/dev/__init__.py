"""Development tooling, never imported by the app or the worker: the embedded PostgreSQL and
Redis (``embedded``), demo data (``seed``), ``pydotorg dev run`` (``run``), the benchmark behind
``make bench`` (``benchmark``) and where the python.org data the repository carries lives (``paths``)."""
