"""Rules documents as text: what a board writes, what the bot reads back, and how it is shown."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcpbot.errors import InvalidInput
from vcpbot.services.rules import _text as rules_text
from vcpbot.services.rules._types import Article, RulesText

DOCUMENT = """\ufeff# Gedragscode\r
\r
Welkom bij de vereniging.\r
\r
## 1. Respect\r
\r
Behandel iedereen met **respect**. Één regel voor iedereen.\r
\r
```\r
## 9. Dit is geen kop, het staat in een codeblok\r
```\r
\r
## 2) Grenzen ##\r
\r
Je grens is jouw grens, ook online (zie [de website](https://example.org)).\r
"""


def _invalid(text: str, **kwargs: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        rules_text.parse(text, **kwargs)  # type: ignore[arg-type]
    return caught.value


# -- parsing -----------------------------------------------------------------


def test_a_document_is_read_as_an_intro_and_numbered_articles() -> None:
    document = rules_text.parse(DOCUMENT)
    assert document.intro == "# Gedragscode\n\nWelkom bij de vereniging."
    assert document.numbers == (1, 2)
    first, second = document.articles
    assert first.title == "Respect"
    assert "## 9. Dit is geen kop" in first.body, "a heading inside a code block stays text"
    assert second == Article(
        2,
        "Grenzen",
        "Je grens is jouw grens, ook online (zie [de website](https://example.org)).",
    )


def test_rendering_writes_canonical_headings_that_parse_back_the_same() -> None:
    document = rules_text.parse(DOCUMENT)
    rendered = rules_text.render(document)
    assert "## 2. Grenzen\n" in rendered
    assert "\r" not in rendered and "\ufeff" not in rendered
    assert rules_text.parse(rendered) == document


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        ("", "rules.error.empty_document", {}),
        ("  \n\n \t\n", "rules.error.empty_document", {}),
        ("Alleen wat tekst, geen artikelen.", "rules.error.no_articles", {}),
        ("Intro\n\n# 1. Respect\n\nTekst", "rules.error.heading_wrong_level", {"line": 3}),
        ("### 2) Grenzen\n\nTekst", "rules.error.heading_wrong_level", {"number": 2}),
        ("## 1. Respect\n\nTekst\n\n## Grenzen\n\nTekst", "rules.error.heading_unparsable", {}),
        ("## 1.Respect\n\nTekst", "rules.error.heading_unparsable", {"line": 1}),
        ("## 1.\n\nTekst", "rules.error.heading_no_title", {"number": 1}),
        ("## 0. Nul\n\nTekst", "rules.error.heading_number_range", {"line": 1}),
        ("## 1. Respect\n\n## 2. Grenzen\n\nTekst", "rules.error.empty_article", {"number": 1}),
        (
            "## 2. B\n\nTekst\n\n## 1. A\n\nTekst",
            "rules.error.article_order",
            {"number": 1, "previous": 2, "line": 5},
        ),
        ("## 1. A\n\nTekst\x07\n", "rules.error.control_characters", {"line": 3}),
    ],
)
def test_bad_structure_says_what_to_fix_and_where(text: str, key: str, params: dict) -> None:
    error = _invalid(text)
    assert error.key == key
    assert params.items() <= error.params.items()


def test_a_duplicate_article_number_names_both_lines() -> None:
    error = _invalid("## 1. Respect\n\nTekst\n\n## 2. Grenzen\n\nTekst\n\n## 2. Online\n\nTekst")
    assert error.key == "rules.error.duplicate_article"
    assert error.params == {"number": 2, "line": 9, "first_line": 5}


def test_limits_fit_discord() -> None:
    body = "woord " * 700
    too_long_body = _invalid(f"## 1. Lang\n\n{body}")
    assert too_long_body.key == "rules.error.article_too_long"
    assert too_long_body.params["max"] == 4000 and too_long_body.params["number"] == 1

    assert _invalid(f"## 1. {'t' * 201}\n\nTekst").key == "rules.error.title_too_long"
    assert _invalid(f"{body}\n\n## 1. Kort\n\nTekst").key == "rules.error.intro_too_long"

    many = "\n\n".join(f"## {n}. Artikel\n\nTekst" for n in range(1, 101))
    assert _invalid(many).params == {"count": 100, "max": 99}

    huge = "\n\n".join(f"## {n}. Artikel\n\n{'x' * 3000}" for n in range(1, 80))
    error = _invalid(huge)
    assert error.key == "rules.error.document_too_large"
    assert error.params["max_kb"] == 200


def test_a_draft_being_built_may_have_no_articles_yet() -> None:
    assert rules_text.parse("Alleen een inleiding.", require_articles=False).articles == ()


# -- editing one part --------------------------------------------------------


def test_editing_replaces_one_article_or_adds_it_in_numeric_order() -> None:
    document = rules_text.parse("## 1. A\n\nEen\n\n## 3. C\n\nDrie")
    edited = rules_text.with_article(document, number=3, title="C nieuw", body="Drie!")
    assert edited.article(3) == Article(3, "C nieuw", "Drie!")
    added = rules_text.with_article(edited, number=2, title="B", body="Twee\r\nregels")
    assert added.numbers == (1, 2, 3)
    assert added.article(2) == Article(2, "B", "Twee\nregels")
    assert rules_text.without_article(added, 1).numbers == (2, 3)
    assert rules_text.with_intro(added, "Hallo").intro == "Hallo"


@pytest.mark.parametrize(
    ("title", "body", "key"),
    [
        ("Titel", "Tekst\n## 4. Stiekem een nieuw artikel\nmeer", "rules.error.heading_in_text"),
        ("Titel", "   \n  ", "rules.error.empty_article"),
        ("", "Tekst", "rules.error.title_required"),
        ("Twee\nregels", "Tekst", "rules.error.title_multiline"),
        ("Titel", "x" * 4001, "rules.error.article_too_long"),
    ],
)
def test_an_edit_obeys_the_same_rules_as_an_upload(title: str, body: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules_text.with_article(rules_text.EMPTY, number=1, title=title, body=body)
    assert caught.value.key == key


def test_an_unknown_article_lists_the_numbers_there_are() -> None:
    document = rules_text.parse("## 1. A\n\nx\n\n## 2. B\n\nx\n\n## 3. C\n\nx\n\n## 7. D\n\nx")
    with pytest.raises(InvalidInput) as caught:
        rules_text.without_article(document, 5)
    assert caught.value.key == "rules.error.unknown_article"
    assert caught.value.params == {"number": 5, "available": "1–3, 7"}


def test_template_fields_are_found() -> None:
    text = "Welkom bij [[naam vereniging]]. Bel [[telefoon]] of [[naam vereniging]]. [link](x)"
    assert rules_text.placeholders(text) == ("[[naam vereniging]]", "[[telefoon]]")


# -- uploads -----------------------------------------------------------------


def test_an_upload_is_decoded_with_bom_and_windows_newlines_removed() -> None:
    data = "\ufeff## 1. Één\r\n\r\nTekst\r\n".encode()
    assert rules_text.decode_upload(data, filename="Regels.MD") == "## 1. Één\n\nTekst\n"


@pytest.mark.parametrize(
    ("data", "filename", "key", "params"),
    [
        (b"## 1. A\n\nx", "regels.docx", "rules.error.upload_not_markdown", {}),
        ("## 1. A\n\nTekst\nCaf\xe9".encode("latin-1"), "a.md", "rules.error.upload_not_utf8",
         {"line": 4}),
        ("## 1. A".encode("utf-16"), "a.md", "rules.error.upload_not_utf8", {"line": 1}),
        (b"x" * (200 * 1024 + 1), "a.md", "rules.error.upload_too_large",
         {"size_kb": 201, "max_kb": 200}),
        (b"\xef\xbb\xbf \r\n", "a.md", "rules.error.upload_empty", {}),
    ],
)  # fmt: skip
def test_a_bad_upload_says_what_is_wrong(
    data: bytes, filename: str, key: str, params: dict
) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules_text.decode_upload(data, filename=filename)
    assert caught.value.key == key
    assert caught.value.params == params


def test_an_upload_of_exactly_the_limit_is_accepted() -> None:
    data = b"## 1. A\n\n" + b"x" * (200 * 1024 - 9)
    assert len(rules_text.decode_upload(data, filename="a.md")) == 200 * 1024


# -- search ------------------------------------------------------------------


def test_search_ignores_case_and_accents_and_highlights_the_match() -> None:
    document = rules_text.parse(DOCUMENT)
    (hit,) = rules_text.search(document, "EEN REGEL")
    assert hit.number == 1
    assert "**Één** **regel**" in hit.snippet
    (hit,) = rules_text.search(document, "grens")
    assert hit.number == 2
    assert hit.title == "Grenzen", "no match in the title, so no bold"
    assert hit.snippet.startswith("Je **grens** is jouw **grens**")
    assert "[de website]" not in hit.snippet, "links are shown as their text"


def test_every_word_of_the_query_must_occur() -> None:
    document = rules_text.parse(DOCUMENT)
    assert rules_text.search(document, "respect online") == ()
    assert [h.number for h in rules_text.search(document, "online website")] == [2]


def test_a_snippet_cannot_break_discord_formatting() -> None:
    document = rules_text.parse(
        "## 1. Online\n\nGeen __spam__, geen <@123> of `code` of ~~x~~ en ||spoiler|| "
        "en geen [nep](https://x) links of # koppen.\n\n> citaat over respect"
    )
    (hit,) = rules_text.search(document, "respect")
    unescaped = re.sub(r"\\.", "", hit.snippet.replace("**respect**", ""))
    assert not re.search(r"[*_~`|<>\[\]#]", unescaped)
    assert "\\<@123\\>" in hit.snippet


def test_a_long_article_gives_a_snippet_around_the_match_cut_between_words() -> None:
    body = " ".join(f"woord{n}" for n in range(200)) + " alcohol " + "slot " * 100
    document = RulesText("", (Article(4, "Alcohol", body),))
    (hit,) = rules_text.search(document, "alcohol", snippet_size=80)
    assert "**alcohol**" in hit.snippet
    assert hit.snippet.startswith("…woord") and hit.snippet.endswith("…")
    assert hit.title == "**Alcohol**"
    inner = hit.snippet.strip("…")
    assert all(word in body.split() for word in inner.replace("**", "").split())


@pytest.mark.parametrize(
    ("query", "key"),
    [("a", "rules.error.search_too_short"), ("x" * 101, "rules.error.search_too_long")],
)
def test_a_search_that_is_too_short_or_long_is_refused(query: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules_text.search(rules_text.EMPTY, query)
    assert caught.value.key == key


# -- pages -------------------------------------------------------------------


def test_pages_break_at_paragraphs_then_lines_then_words() -> None:
    text = "Eerste alinea met wat woorden.\n\nTweede alinea.\nNog een regel."
    assert rules_text.paginate(text, 40) == [
        "Eerste alinea met wat woorden.",
        "Tweede alinea.\nNog een regel.",
    ]
    assert rules_text.paginate("een twee drie vier", 9) == ["een twee", "drie vier"]
    assert rules_text.paginate("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert rules_text.paginate("  \n ", 10) == []


def _assert_pages_are_the_text(text: str, pages: list[str], size: int) -> None:
    position = 0
    for index, page in enumerate(pages):
        assert page and len(page) <= size
        assert page == page.strip()
        gap_start = position
        while position < len(text) and text[position].isspace():
            position += 1
        assert text.startswith(page, position), "pages are the text, in order"
        if index > 0 and position == gap_start:
            # Cut without whitespace: only allowed inside a word longer than a page.
            previous = pages[index - 1]
            assert not any(ch.isspace() for ch in previous)
        position += len(page)
    assert text[position:].strip() == ""


words = st.text(alphabet=st.characters(categories=["L", "N", "P"]), min_size=1, max_size=30)
separators = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", "\t"])
texts = st.lists(st.tuples(words, separators), max_size=80).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@settings(max_examples=300, deadline=None)
@given(text=texts, size=st.integers(min_value=1, max_value=120))
def test_pages_never_exceed_the_size_and_never_split_a_word_needlessly(
    text: str, size: int
) -> None:
    pages = rules_text.paginate(text, size)
    _assert_pages_are_the_text(text, pages, size)
    if all(len(w) <= size for w in text.split()):
        assert len(pages) <= max(1, len(text.split())), "never more pages than words"


@settings(max_examples=200, deadline=None)
@given(text=texts, size=st.integers(min_value=1, max_value=120))
def test_a_word_is_only_cut_when_it_is_longer_than_a_page(text: str, size: int) -> None:
    pages = rules_text.paginate(text, size)
    whole_words = set(text.split())
    for page in pages:
        for word in page.split():
            if word not in whole_words:
                assert any(word in w and len(w) > size for w in whole_words)


# -- round trips -------------------------------------------------------------

_line = st.lists(
    st.text(alphabet=st.characters(categories=["L", "N"], include_characters=".,!?'-()"),
            min_size=1, max_size=12),
    min_size=1, max_size=8,
).map(" ".join)  # fmt: skip
_block = st.lists(st.one_of(_line, st.just("")), min_size=1, max_size=6).map(
    lambda lines: "\n".join(lines).strip("\n")
)
_title = _line.filter(lambda t: t == t.strip() and len(t) <= 200)


@st.composite
def documents(draw: st.DrawFn) -> RulesText:
    numbers = sorted(draw(st.sets(st.integers(1, 999), min_size=1, max_size=12)))
    articles = tuple(
        Article(n, draw(_title), draw(_block.filter(lambda b: b.strip() != ""))) for n in numbers
    )
    return RulesText(intro=draw(st.one_of(st.just(""), _block)), articles=articles)


@settings(max_examples=200, deadline=None)
@given(document=documents())
def test_render_then_parse_gives_the_same_document(document: RulesText) -> None:
    assert rules_text.parse(rules_text.render(document)) == document


@settings(max_examples=200, deadline=None)
@given(document=documents(), noise=st.sampled_from(["\r\n", "\r", "\n"]))
def test_parse_render_parse_is_stable_whatever_the_newlines(
    document: RulesText, noise: str
) -> None:
    messy = rules_text.render(document).replace("\n", noise)
    once = rules_text.parse(messy)
    assert once == document
    assert rules_text.parse(rules_text.render(once)) == once


# -- diff --------------------------------------------------------------------


def test_the_diff_shows_exactly_the_changed_article() -> None:
    old = rules_text.parse(
        "Intro\n\n## 1. Respect\n\nWees aardig.\n\n## 2. Grenzen\n\nEen nee is nee.\n"
        "Vraag het.\n\n## 3. Online\n\nOok online."
    )
    new = rules_text.with_article(
        old, number=2, title="Grenzen", body="Een nee is nee.\nVraag het altijd."
    )
    result = rules_text.diff(old, new)
    assert result.intro == ()
    assert result.unchanged == (1, 3)
    (change,) = result.changes
    assert (change.number, change.kind) == (2, "changed")
    assert change.as_text() == "…\n  Een nee is nee.\n- Vraag het.\n+ Vraag het altijd."


def test_the_diff_shows_added_removed_and_renamed_articles_and_the_intro() -> None:
    old = rules_text.parse("Oud\n\n## 1. A\n\nx\n\n## 2. B\n\ny")
    new = rules_text.parse("Nieuw\n\n## 1. A anders\n\nx\n\n## 3. C\n\nz")
    result = rules_text.diff(old, new)
    assert [(c.number, c.kind) for c in result.changes] == [
        (1, "changed"),
        (2, "removed"),
        (3, "added"),
    ]
    renamed = result.changes[0]
    assert (renamed.old_title, renamed.new_title) == ("A", "A anders")
    assert "- ## 1. A\n+ ## 1. A anders" in renamed.as_text()
    assert result.changes[2].as_text() == "+ ## 3. C\n+ z"
    assert [(d.op, d.text) for d in result.intro] == [("-", "Oud"), ("+", "Nieuw")]
    assert rules_text.diff(old, old).is_empty


def test_diff_text_cannot_close_a_code_block() -> None:
    old = rules_text.parse("## 1. A\n\nx")
    new = rules_text.parse("## 1. A\n\n```\ncode\n```")
    assert "```" not in rules_text.diff(old, new).changes[0].as_text()


def _folded_one_by_one(text: str) -> tuple[str, list[int]]:
    folded, positions = [], []
    for index, ch in enumerate(text):
        part = rules_text._fold_char(ch)
        folded.append(part)
        positions.extend([index] * len(part))
    return "".join(folded), positions


@given(
    st.text(alphabet=st.sampled_from("aZ 1.\nÉéëĳßﬁÅç\u0301İ"), max_size=40) | st.text(max_size=40)
)
@settings(max_examples=400, deadline=None)
def test_folding_by_runs_is_folding_each_character(text: str) -> None:
    # ASCII runs fold with str.lower (fast); the result must be the same as folding
    # every character on its own, positions included (they place the highlights).
    assert rules_text._folded_with_positions(text) == _folded_one_by_one(text)
    assert rules_text.fold(text) == _folded_one_by_one(text)[0]
