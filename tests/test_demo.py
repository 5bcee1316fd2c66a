"""`vcpbot demo` runs offline and tells the story in either language."""

import asyncio
import re
import sys
from pathlib import Path

import pytest

from vcpbot.i18n import t
from vcpbot_harness.demo import run_demo

# Who reads the bot in Dutch, and who in English, in each tour: Sanne's Discord speaks
# the tour's language, the second VCP's the other one (both in Tragos, a Dutch association).
DUTCH_AND_ENGLISH_FIRST = {"nl": ("Sanne", "Ahmed"), "en": ("Bram", "Sanne")}


def invitation_seen_by(story: str, who: str, tour: str) -> str:
    """The first line of the intervisie invitation ``who`` reads in a direct message."""
    sees = t("demo.sees", tour, who=who, where=t("demo.dm", tour), private="")
    title = t("demo.intervisie.title", tour)
    found = re.search(rf"  {re.escape(sees)}\n    \| ([^\n]*{re.escape(title)})\n", story)
    assert found, f"{who} reads no invitation"
    return found.group(1)


# The card's button (the association speaks Dutch), the question the member reads, her
# answer, and the hub's card once she agreed.
CONSENT = {
    "en": (
        "Vragen om door te sturen",
        "may your case go to the UM team?",
        "Yes, pass it on",
        "forwarded by the association's VCPs, with the member's consent",
    ),
    "nl": (
        "Vragen om door te sturen",
        "mag je melding naar het UM-team?",
        "Ja, stuur door",
        "doorgestuurd door de VCP's van de vereniging, met instemming van het lid",
    ),
}
PRESSES = {"en": "presses", "nl": "drukt op"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Who you can talk to", "presses “Approve”", "(only they see this)"]),
        ("nl", ["Met wie je kunt praten", "drukt op “Goedkeuren”", "Goed nieuws"]),
    ],
)
async def test_the_tour_plays_and_exits_cleanly(lang: str, expected: list[str]) -> None:
    lines: list[str] = []
    assert await run_demo(lang=lang, step=False, out=lines.append) == 0
    story = "\n".join(lines)
    for fragment in expected:
        assert fragment in story
    # Both students got the help in their own language, whatever the tour's language.
    assert "Who you can talk to" in story and "Met wie je kunt praten" in story
    # Lotte reads the house rules in Dutch, Maria in English, and Lotte accepts them.
    assert "Huisregels · versie 1" in story and "House rules · version 1" in story
    assert "presses “Ik heb het gelezen en ga akkoord / I have read and accept”" in story or (
        "drukt op “Ik heb het gelezen en ga akkoord / I have read and accept”" in story
    )
    assert "akkoord gegaan met de huisregels (versie 1)" in story
    # Sanne escalates anonymously; the team (who never learn her name) opens the case and
    # replies, and Sanne reads the reply with her receipt, privately.
    receipt = re.search(r"(?:receipt|ontvangstcode):(\S+)", story)
    assert receipt is not None and story.count(receipt.group(1)) == 2  # shown once, used once
    assert "pushing first-years to drink" in story or "onder druk zetten" in story
    assert "Shall we contact the board together?" in story or (
        "Zullen we samen contact opnemen met het bestuur?" in story
    )
    card = re.split(r"(?:sees|ziet) in #escalations:", story, maxsplit=1)[1].split("\n>", 1)[0]
    assert "Sanne" not in card and "drink" not in card
    # Noor reaches her VCPs; Sanne asks whether the case may go to the UM team; Noor
    # reads the question in /my-case and says yes; only then does the team get a card.
    words = CONSENT[lang]
    asked = story.index(f"{PRESSES[lang]} “{words[0]}”")
    question = story.index(words[1], asked)
    answered = story.index(f"“{words[2]}”", question)
    reached = story.index(words[3], answered)
    assert asked < question < answered < reached
    # The coordinator plans intervisie; a Dutch-first and an English-first VCP each get
    # the invitation in their own language, Sanne answers Yes, and after the clock jumps a
    # reminder arrives.
    assert "Uitnodiging: Intervisie" in story and "Invitation: Intervisie" in story
    assert "· Invitation: Intervisie" not in story  # nobody here needs both languages
    title = t("demo.intervisie.title", lang)
    dutch_first, english_first = DUTCH_AND_ENGLISH_FIRST[lang]
    assert invitation_seen_by(story, dutch_first, lang) == t(
        "intervisie.invite.title", "nl", title=title
    )
    assert invitation_seen_by(story, english_first, lang) == t(
        "intervisie.invite.title", "en", title=title
    )
    assert re.search(r"📎 intervisie-[\d-]+\.ics", story)
    assert "1 yes · 0 maybe" in story or "1 ja · 0 misschien" in story
    assert "starts tomorrow" in story or "begint morgen" in story
    # KMTM: Sanne logs from the panel and takes a slip back; the coordinator's report in
    # the hub shows what is safe to publish and hides the rest, and the chart is kept.
    assert "Contact registreren · KMTM" in story or "Log a contact · KMTM" in story
    assert "Teruggedraaid" in story or "Taken back" in story
    assert re.search(r"\| +35  (Totaal|Total)\n", story)
    assert "* verborgen" in story or "* hidden" in story
    assert "📎 kmtm-" in story and ".csv" in story and "📎 kmtm-2026.xlsx" in story
    # The report is a private preview first; the team sees it after the Post button.
    preview, posted = re.split(r"(?:presses|drukt op) “(?:Post|Plaats) in #general”", story)
    assert "Only you see this preview" in preview or "Alleen jij ziet dit voorbeeld" in preview
    assert re.match(r"\n  [^\n]+ (?:sees|ziet) in #general:\n", posted)
    chart = next(line for line in lines if "vcpbot-demo-" in line and line.endswith(".png"))
    path = Path(chart.rsplit(" ", 1)[-1])
    assert (await asyncio.to_thread(path.read_bytes))[:8] == b"\x89PNG\r\n\x1a\n"
    # Readiness: the coordinator privately sees each association's line, Tragos's board its
    # own with what to do next; neither says anything about reports or KMTM contacts.
    readiness = story.split(f"=== 10. {t('demo.chapter.readiness', lang)}", 1)[1]
    assert readiness.count(t("network.readiness.title", lang)) == 1
    # Tragos: a line in the overview; where the board looks; the title of the board's line.
    assert readiness.count("Studentenvereniging Tragos") == 3
    assert "(only they see this)" in readiness or "(alleen zij zien dit)" in readiness
    assert "/anonymous-contact panel" in readiness or "/anoniem-contact paneel" in readiness
    assert not re.search(r"\bC-[A-Z0-9]{4}\b", readiness)  # no case is named
    assert "Discord would refuse" not in story


def test_without_the_harness_the_demo_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deployment installs only the bot (harness/ is the second distribution): `vcpbot
    demo` there explains itself instead of a traceback."""
    from vcpbot.cli import main

    monkeypatch.setitem(sys.modules, "vcpbot_harness", None)
    monkeypatch.setitem(sys.modules, "vcpbot_harness.demo", None)
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "pip install -e ./harness" in err
    assert "Traceback" not in err
