"""Every mistake a board or a reader can make gets a clear answer in their language,
and nothing is half-saved: the draft and the published version stay as they were."""

from __future__ import annotations

import pytest

from discord_emulator import Emulator
from tests.e2e.rules.steps import (
    HOUSE_RULES_EN,
    HOUSE_RULES_NL,
    admin,
    publish,
    register_with_rules_channel,
    rules_posts,
    upload,
)
from vcpbot_harness import BotHarness, NetworkWorld, add_student

TOO_LONG = "## 1. Lang\n\n" + "woord " * 700  # 4200 characters in one article

BAD_UPLOADS = [
    # (what is wrong, filename, content, Dutch answer, English answer)
    ("an empty file", "leeg.md", b"  \n\n", "Het bestand is leeg", "The file is empty"),
    (
        "a document without articles",
        "intro.md",
        b"Alleen een inleiding, zonder artikelen.\n",
        "Ik heb geen artikelen gevonden",
        "I could not find any articles",
    ),
    (
        "a heading that does not parse",
        "kop.md",
        b"## 1. Respect\n\nTekst.\n\n## Alcohol\n\nTekst.\n",
        "De kop op regel 5 kan ik niet als artikel lezen",
        "The heading on line 5 cannot be read as an article",
    ),
    (
        "two articles with one number",
        "dubbel.md",
        b"## 1. Respect\n\nTekst.\n\n## 1. Alcohol\n\nTekst.\n",
        "Artikel 1 staat er twee keer in: op regel 1 en op regel 5",
        "Article 1 appears twice: on line 1 and on line 5",
    ),
    (
        "an article over the limit",
        "lang.md",
        TOO_LONG.encode(),
        "Artikel 1 is 4.199 tekens lang; er passen er hooguit 4.000",
        "Article 1 is 4,199 characters long; at most 4,000 fit",
    ),
    (
        "a file that is not UTF-8",
        "latin1.md",
        "## 1. Café\n\nGeen ruzie in het café.\n".encode("latin-1"),
        "niet als UTF-8-tekst opgeslagen (het eerste probleem zit op regel 1)",
        "not saved as UTF-8 text (the first problem is on line 1)",
    ),
    (
        "a file over 200 KB",
        "groot.md",
        b"## 1. Groot\n\n" + b"x " * (101 * 1024),
        "Het bestand is 203 KB; er mag hooguit 200 KB in",
        "The file is 203 KB; at most 200 KB is allowed",
    ),
    (
        "a file that is not Markdown",
        "regels.pdf",
        b"%PDF-1.4",
        "eindigt op `.md`",
        "ends in `.md`",
    ),
]


@pytest.mark.parametrize(("key", "column"), [("tragos", 3), ("saurus", 4)], ids=["nl", "en"])
async def test_every_bad_upload_is_explained_and_the_draft_is_kept(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, key: str, column: int
) -> None:
    association = world.association(key)
    # Bad uploads to a document that does not exist yet create nothing.
    first = BAD_UPLOADS[2]
    refused = await upload(emulator, association, "nl", first[2], filename=first[1])
    assert first[column] in refused.text
    nothing = await admin(
        emulator, association, "preview", {"document": "house_rules", "language": "nl"}
    )
    assert ("Er is nog geen concept" if key == "tragos" else "There is no draft yet") in (
        nothing.text
    )

    good = HOUSE_RULES_NL if key == "tragos" else HOUSE_RULES_EN
    await upload(emulator, association, "nl", good)
    for what, filename, content, *answers in BAD_UPLOADS:
        refused = await upload(emulator, association, "nl", content, filename=filename)
        assert answers[column - 3] in refused.text, what
        preview = await admin(
            emulator, association, "preview", {"document": "house_rules", "language": "nl"}
        )
        assert ("Sluitingstijd" if key == "tragos" else "Closing time") in preview.text, what


async def test_an_edit_that_would_start_a_new_article_is_refused(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = world.association("tragos")
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    board = emulator.person(tragos.admin)
    opened = await board.slash(
        tragos.guild,
        "rules-admin",
        {"document": "house_rules", "language": "nl", "article": 2},
        subcommand="edit",
    )
    modal = (await opened.wait()).modal
    submitted = await board.submit(
        modal, {"title": "Alcohol", "body": "Drink met mate.\n\n## 5. Roken\n\nNiet binnen."}
    )
    refusal = (await submitted.wait()).message
    assert refusal.ephemeral and "Regel 3 van deze tekst begint met `##`" in refusal.text
    preview = await admin(
        emulator, tragos, "preview", {"document": "house_rules", "language": "nl"}
    )
    assert "Roken" not in preview.text and "De bar schenkt niet meer" in preview.text


@pytest.mark.parametrize(
    ("locale", "answers"),
    [
        (
            "nl",
            [
                "Er is geen artikel 9 in dit document. De artikelen hebben de nummers 1–4.",
                "Zoek op minstens 2 tekens.",
                "Geen enkel artikel bevat “fietsenstalling”",
                "Gebruik artikel of zoeken, niet allebei tegelijk.",
            ],
        ),
        (
            "en-US",
            [
                "There is no article 9 in this document. The articles are numbered 1–4.",
                "Please search for at least 2 characters.",
                "No article contains “fietsenstalling”",
                "Please use either article or search, not both at once.",
            ],
        ),
    ],
    ids=["nl", "en"],
)
async def test_a_reader_who_asks_for_what_is_not_there_is_told_so(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness, locale: str, answers: list[str]
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await upload(emulator, tragos, "en", HOUSE_RULES_EN)
    await publish(emulator, tragos, "Eerste versie")
    student = emulator.person(add_student(emulator, world, "tragos", "kim", locale=locale))
    asks = [{"article": 9}, {"search": "a"}, {"search": "fietsenstalling"}]
    asks.append({"article": 1, "search": "respect"})
    for options, answer in zip(asks, answers, strict=True):
        reply = (await (await student.slash(tragos.guild, "rules", options)).wait()).message
        assert reply.ephemeral and answer in reply.text, options


async def test_publishing_without_changes_and_bad_version_numbers_are_refused(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL)
    await publish(emulator, tragos, "Eerste versie")
    posted = [(m.id, m.text, m.edited_at) for m in rules_posts(emulator, tragos)]

    again = await publish(emulator, tragos, "Nog een keer")
    assert "Er is niets veranderd sinds versie 1" in again.text
    await upload(emulator, tragos, "nl", HOUSE_RULES_NL.replace("02:00", "01:00"))
    no_note = await publish(emulator, tragos, "   ")
    assert "Schrijf er een korte toelichting bij" in no_note.text
    assert [(m.id, m.text, m.edited_at) for m in rules_posts(emulator, tragos)] == posted

    unknown = await admin(emulator, tragos, "diff", {"document": "house_rules", "v1": 1, "v2": 5})
    assert "Versie 5 bestaat niet. Dit document heeft de versies 1 tot en met 1." in unknown.text
    same = await admin(emulator, tragos, "diff", {"document": "house_rules", "v1": 1, "v2": 1})
    assert "Kies twee verschillende versies" in same.text
