"""The sponsors domain's services, one module per area: ``configuration`` (a year's programs,
packages, benefits, legal clauses and feature configurations; the current year; cloning a year),
``placements`` (who is shown where: the logo walls and ``/api/v2/sponsors/``), ``sponsorships``
(applications, sponsors and contacts, the sponsorship and contract state machines, staff
operations) and ``audit`` (the trail every staff write leaves)."""
