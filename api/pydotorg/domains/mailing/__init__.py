"""Mailing (inventory 1.11): stored e-mail templates rendered safely, and queueing the messages
they make. python.org's ``apps/mailing`` held only the abstract ``BaseEmailTemplate``; here the
domain owns no table either: a domain with templates (sponsors) stores them and renders them
through ``mailing.services``. Nothing here knows a domain that uses it."""
