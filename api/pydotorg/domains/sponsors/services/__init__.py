"""The sponsors domain's services, one module (or package) per area:

- ``configuration``: a year's programs, packages, benefits, legal clauses and feature
  configurations; the current year; the offer; cloning a year; capacity and customisation;
- ``placements``: who is shown where (the logo walls and ``/api/v2/sponsors/``);
- ``sponsorships``: applications, sponsors and contacts, benefit copies and their features and
  assets, the sponsor dashboard;
- ``transitions``: the sponsorship and contract state machines and the staff reads;
- ``contracts``: the statement-of-work documents (PDF, DOCX) and sending them;
- ``notifications``: e-mail templates, staff notifications and the automatic mails;
- ``assets``: the staff's asset export and benefit re-copies;
- ``vouchers``: PyCon voucher codes for sponsors;
- ``audit``: the trail every staff write leaves.
"""
