"""The Django importer: python.org's data, from ``dumpdata`` fixtures or its live database.

``command`` (what ``pydotorg import-django`` runs), ``registry`` (every domain's declared
imports), ``importer`` (the engine: upsert, change feed, verification), ``source`` (the reader of
the Django database) and ``layout`` (its tables). ``django_db`` builds a database with that
layout, for the migration tests and the benchmark. Only ``cli`` and ``dev`` import this package.
"""
