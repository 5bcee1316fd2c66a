"""`vcpbot demo` runs offline and tells the story in either language."""

import pytest

from vcpbot.demo import run_demo


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
    assert "Discord would refuse" not in story
