"""A long document is shown in pages: within Discord's limits, never cut in the middle of a word."""

from __future__ import annotations

from discord_emulator import Emulator
from discord_emulator.entities import Message
from tests.e2e.rules.steps import (
    admin,
    publish,
    register_with_rules_channel,
    rules_posts,
    upload,
)
from vcpbot_harness import BotHarness, NetworkWorld, add_student

ARTICLES = 24
WORDS = ["veiligheid", "respect", "vertrouwen", "grenzen", "gesprek"]


def long_rules() -> str:
    parts = ["Een lange gedragscode, om te laten zien dat niets wordt afgekapt."]
    for number in range(1, ARTICLES + 1):
        body = " ".join(f"{WORDS[i % len(WORDS)]}{number}" for i in range(290))
        title = f"Onderwerp {number} " + "met een lange titel " * 8
        parts.append(f"## {number}. {title.strip()}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def within_limits(message: Message) -> None:
    assert len(message.embeds) <= 10
    total = 0
    for embed in message.embeds:
        assert len(embed.get("description", "")) <= 4096
        assert len(embed.get("title", "")) <= 256
        total += sum(len(embed.get(k, "")) for k in ("title", "description"))
        total += len(embed.get("footer", {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    assert total <= 6000


def words_are_whole(message: Message) -> None:
    for embed in message.embeds:
        for token in embed.get("description", "").split():
            word = token.replace("*", "").strip(".…")
            if word[:1].isalpha() and word[-1:].isdigit():
                assert word.rstrip("0123456789") in WORDS, f"a word was cut: {word!r}"


async def test_a_long_document_is_paged_for_readers_and_split_in_the_channel(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    tragos = await register_with_rules_channel(emulator, world)
    saved = await upload(emulator, tragos, "nl", long_rules(), document="code_of_conduct")
    assert f"met {ARTICLES} artikelen." in saved.text

    board = emulator.person(tragos.admin)
    shown = await board.slash(
        tragos.guild,
        "rules-admin",
        {"document": "code_of_conduct", "language": "nl"},
        subcommand="preview",
    )
    page = (await shown.wait()).message
    seen_titles: set[int] = set()
    pages = 0
    while True:
        pages += 1
        within_limits(page)
        words_are_whole(page)
        seen_titles |= {
            int(e["title"].split(".")[0]) for e in page.embeds if e.get("title", "")[:1].isdigit()
        }
        assert f"Pagina {pages} van" in page.text
        labels = {b["label"]: b for b in page.buttons}
        if labels["Volgende"].get("disabled"):
            break
        page = (await (await board.press(page, label="Volgende")).wait()).message
    assert pages > 2
    assert seen_titles == set(range(1, ARTICLES + 1))
    back = await board.press(page, label="Vorige")
    assert f"Pagina {pages - 1} van {pages}" in (await back.wait()).message.text

    # Its posts to #rules wait on the channel's rate limit (5 per 5 s), so the deferred
    # answer may take longer than the default wait; Discord allows 15 minutes.
    await publish(emulator, tragos, "Eerste versie", document="code_of_conduct", within=30)
    posts = rules_posts(emulator, tragos)
    assert len(posts) > 2
    for post in posts:
        within_limits(post)
        words_are_whole(post)
    assert posts[0].pinned and not any(p.pinned for p in posts[1:])

    student = emulator.person(add_student(emulator, world, "tragos", "lotte", locale="nl"))
    contents = (await (await student.slash(tragos.guild, "rules")).wait()).message
    within_limits(contents)
    assert "Gedragscode · versie 1" in contents.text
    found = (
        await (await student.slash(tragos.guild, "rules", {"search": "vertrouwen"})).wait()
    ).message
    within_limits(found)
    words_are_whole(found)
    assert "**vertrouwen" in found.text


async def test_a_reader_of_a_paged_document_finds_the_accept_button_in_its_own_message(
    emulator: Emulator, world: NetworkWorld, harness: BotHarness
) -> None:
    """When the contents take more than one page, the pager's buttons expire with the
    message; the accept button must not, so it comes in a message of its own."""
    tragos = await register_with_rules_channel(emulator, world)
    # An intro near its 4,000 characters and 24 long titles: more than one message holds.
    intro = " ".join(f"{WORDS[i % len(WORDS)]}{i}" for i in range(330))
    text = intro + "".join(
        f"\n\n## {n}. Onderwerp {n} {'met een lange titel ' * 8}\n\nTekst." for n in range(1, 25)
    )
    saved = await upload(emulator, tragos, "nl", text, document="code_of_conduct")
    assert "met 24 artikelen" in saved.text, saved.text
    done = await publish(emulator, tragos, "Eerste versie", document="code_of_conduct", within=30)
    assert "gepubliceerd" in done.text, done.text
    configured = await admin(
        emulator, tragos, "ack", {"document": "code_of_conduct", "enabled": True}
    )
    assert "De knop staat nu onder het document" in configured.text, configured.text

    student = emulator.person(add_student(emulator, world, "tragos", "lotte", locale="nl"))
    result = await student.slash(tragos.guild, "rules")
    contents = (await result.wait()).message
    assert "Pagina 1 van" in contents.text
    assert {b["label"] for b in contents.buttons} == {"Vorige", "Volgende"}
    prompt = await result.followup()
    assert prompt.ephemeral and "Druk op de knop om te bevestigen" in prompt.text
    [accept] = prompt.buttons
    pressed = await student.press(prompt, custom_id=accept["custom_id"])
    assert "Dank je!" in (await pressed.wait()).message.text
