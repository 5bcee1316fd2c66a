"""Dutch and English text for everything a person sees.

The catalogs are flat JSON files, ``<locale>/<feature>.json``, with the same keys
and the same ``{placeholders}`` in both languages; tests fail when they drift
apart. This package does not import discord (except ``translator``), so services
and the CLI can use it.

How to write a text (catalogs, services, cogs):

- **Ask by key**: ``t("kmtm.undone", locale)``. Who is reading decides the
  language: ``vcpbot.interactions.locale_of(interaction)`` for an answer
  (Dutch for a Dutch Discord, English for every other language), the
  association's or the hub's language for a channel post, and for a direct
  message the person's remembered language (``vcpbot.languages``), or both
  languages with ``bilingual(key)`` when the bot has never seen them.
- **Pass values, not text**: a ``date`` is written "maandag 7 december 2026" /
  "Monday 7 December 2026", a ``datetime`` "maandag 7 december 2026, 19:30"
  (convert it to the local zone first), a ``time`` "19:30", a number with the
  language's separators ("1.234,5" / "1,234.5"), a list "a, b en c" / "a, b and
  c" (``formats.localise``, Babel's CLDR data). Never ``strftime`` or
  ``isoformat`` a date for a reader: 07-12 reads as July to half the world.
  Placeholders named in ``formats.IDENTIFIERS`` (``id``, ``version``,
  ``number``, ...) keep their digits as they are.
- **Counts get plural forms**: never "session(s)" or "{count} people". Write one
  key per CLDR plural category, with the category as suffix, and ask for the
  base key with a ``count``::

      "intervisie.plan.sessions_one": "1 session",
      "intervisie.plan.sessions_other": "{count} sessions",

      t("intervisie.plan.sessions", locale, count=n)

  Dutch and English both have ``one`` and ``other``; the ``other`` form must
  contain ``{count}``. A sentence with two counts is built from two plural
  keys (see ``intervisie.plan.done``). Services raise errors with ``count=``
  the same way (``InvalidInput("...", count=limit)``).
- **Command, option and choice names** are ``translator.L("cmd....")`` keys;
  the English text is the name Discord registers, the Dutch one what Dutch
  clients see. Option names use ``app_commands.rename(param=L(...))``.
- **Words**: Dutch texts follow docs/style-nl.md (melding, privébericht,
  rechten, ...); a test checks both catalogs against its list of terms to avoid.

Converting a text written the old way (the tests that find it in brackets):

1. ``"{count} session(s)"`` -> ``..._one`` / ``..._other`` keys, callers pass
   ``count=`` (tests/test_i18n_forms.py: hedged plurals, a number before a noun).
2. A date made into digits (ISO text, or strftime with day and month) -> pass
   the ``date`` or the local ``datetime`` itself (tests/test_i18n_forms.py: no
   numeric dates in code).
3. ``", ".join(names)`` in a sentence -> pass the list.
4. A direct message -> ``vcpbot.services.languages.remembered(...)`` for the
   person, ``bilingual(key)`` when that is None.
5. Dutch "zaak", "DM", "permissies" -> "melding", "privébericht", "rechten"
   (tests/test_style.py); an option name in a text -> its Dutch name
   (tests/test_cogs_meta.py).
"""

from vcpbot.i18n.catalog import (
    LOCALES,
    Catalog,
    Locale,
    as_locale,
    bilingual,
    catalog,
    pick_locale,
    reader_locale,
    t,
)
from vcpbot.i18n.categories import category_hint, category_label

__all__ = [
    "LOCALES",
    "Catalog",
    "Locale",
    "as_locale",
    "bilingual",
    "catalog",
    "category_hint",
    "category_label",
    "pick_locale",
    "reader_locale",
    "t",
]
