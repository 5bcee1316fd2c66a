"""Findability: what /help and /procedure tell a student, and who keeps it true.

Three parts, each private to this package: ``_resources`` (the help on offer, as
deployment data in ``config/help_resources.toml``), ``_procedure`` (what happens after a
report, step by step, from ``config/procedure.toml``) and ``_contact`` (the short
contact text and link an association's board adds to /help). The files are checked
before students rely on them (``vcpbot check`` lists what is still a placeholder);
the contact is checked before it is saved. No person's id is kept with any of it.
"""

from vcpbot.services.help._contact import (
    CONTACT_LINES_MAX,
    CONTACT_LINK_MAX,
    CONTACT_TEXT_MAX,
    clean_link,
    clean_text,
    contact_of,
    set_contact,
)
from vcpbot.services.help._procedure import (
    MESSAGE_MAX,
    SECTIONS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Links,
    Procedure,
    ProcedureError,
    Section,
    Text,
    Title,
    load_procedure,
    unfilled_procedure,
)
from vcpbot.services.help._resources import (
    MIN_PHONE_DIGITS,
    UNIVERSITY_HOSTS,
    Bilingual,
    HelpResources,
    HelpResourcesError,
    Resource,
    is_placeholder_text,
    load_help_resources,
    phone_problem,
    unfilled_resources,
    url_problem,
)
from vcpbot.services.help._types import Contact

__all__ = [
    "CONTACT_LINES_MAX",
    "CONTACT_LINK_MAX",
    "CONTACT_TEXT_MAX",
    "MESSAGE_MAX",
    "MIN_PHONE_DIGITS",
    "SECTIONS_MAX",
    "TEXT_MAX",
    "TITLE_MAX",
    "UNIVERSITY_HOSTS",
    "Bilingual",
    "Contact",
    "HelpResources",
    "HelpResourcesError",
    "Links",
    "Procedure",
    "ProcedureError",
    "Resource",
    "Section",
    "Text",
    "Title",
    "clean_link",
    "clean_text",
    "contact_of",
    "is_placeholder_text",
    "load_help_resources",
    "load_procedure",
    "phone_problem",
    "set_contact",
    "unfilled_procedure",
    "unfilled_resources",
    "url_problem",
]
