"""What the KMTM chart shows, read from the drawing itself (the figure's artists and the
SVG's elements), not from pixels: no bar where a number is hidden, the period's dates,
how many associations took part, the total as released, print resolution, alt text."""

from __future__ import annotations

import struct
import warnings
import xml.etree.ElementTree as ET
import zlib
from datetime import date

import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from tests.services.kmtm.steps import (
    close,
    log_plan,
    members,
    network_of_five,
    period,
    release,
    small_closed_period,
)
from vcpbot.db import Database
from vcpbot.db.kmtm import Dimension
from vcpbot.services.disclosure import FEWER_THAN_K, SUPPRESSED
from vcpbot.services.kmtm import _chart as kmtm_chart
from vcpbot.services.kmtm._types import Report, ReportRow

SVG = "{http://www.w3.org/2000/svg}"
# A published row, two hidden ones (one of them larger than every published row could
# be: a secondary-suppressed cell), then another published one.
ROWS = (
    ReportRow("a", "Alfa", 12),
    ReportRow("b", "Bravo", SUPPRESSED),
    ReportRow("c", "Charlie", SUPPRESSED),
    ReportRow("d", "Delta", 30),
)


def _report(
    rows: tuple[ReportRow, ...] = ROWS,
    *,
    dimension: Dimension = Dimension.ASSOCIATION,
    total: object = 80,
    associations: int | None = 4,
) -> Report:
    return Report(
        period_name="KMTM 2026",
        dimension=dimension,
        rows=rows,
        total=total,
        k=5,
        min_contributors=3,
        rounded=False,
        span=1,
        released_on=date(2026, 10, 2),
        start_date=date(2026, 8, 10),
        end_date=date(2026, 8, 30),
        associations=associations,
        from_ledger=False,
    )


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def _bars_by_label(figure) -> dict[str, list[Rectangle]]:
    """Each row label (as on the axis) with the rectangles drawn across its line."""
    [axes] = figure.axes
    found: dict[str, list[Rectangle]] = {}
    for tick, label in zip(axes.get_yticks(), axes.get_yticklabels(), strict=True):
        found[label.get_text()] = [
            patch
            for patch in axes.patches
            if patch.get_y() <= tick <= patch.get_y() + patch.get_height()
        ]
    return found


def test_a_hidden_row_gets_no_bar_only_the_marker() -> None:
    """Drawn as a long grey bar, a hidden row looked like the biggest category."""
    figure = kmtm_chart.draw(_report(), locale="nl")
    bars = _bars_by_label(figure)
    assert [round(b.get_width()) for b in bars["Alfa"]] == [12]
    assert [round(b.get_width()) for b in bars["Delta"]] == [30]
    assert bars["Bravo"] == [] and bars["Charlie"] == []
    [axes] = figure.axes
    markers = [t for t in axes.texts if t.get_gid() and t.get_gid().startswith("hidden-")]
    # The marker the table uses, the same for every hidden row: never why it is hidden.
    assert sorted(t.get_gid() for t in markers) == ["hidden-1", "hidden-2"]
    assert {t.get_text() for t in markers} == {"*"}
    assert any("* verborgen" in text for text in _texts(figure))


def test_a_period_below_k_in_the_year_chart_shows_fewer_than_k_and_no_bar() -> None:
    rows = (
        ReportRow("KMTM 2024", "KMTM 2024", FEWER_THAN_K, released_with=(5, 3, False)),
        ReportRow("KMTM 2025", "KMTM 2025", 41, released_with=(5, 3, False)),
        ReportRow("KMTM 2026", "KMTM 2026", SUPPRESSED, released_with=(5, 3, False)),
    )
    report = _report(rows, dimension=Dimension.YEAR, total=None)
    figure = kmtm_chart.draw(report, locale="en")
    [axes] = figure.axes
    heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in axes.patches}
    assert heights == {1: 41}
    hidden = {t.get_gid(): t.get_text() for t in axes.texts if t.get_gid()}
    assert hidden == {"hidden-0": "fewer than 5", "hidden-2": "*"}


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            [
                "maandag 10 augustus 2026 t/m zondag 30 augustus 2026",
                "4 verenigingen deden mee",
                "Totaal: 80",
            ],
        ),
        (
            "en",
            [
                "Monday 10 August 2026 to Sunday 30 August 2026",
                "4 associations took part",
                "Total: 80",
            ],
        ),
    ],
)
def test_the_chart_says_the_dates_how_many_associations_took_part_and_the_total(
    locale, expected
) -> None:
    shown = "\n".join(_texts(kmtm_chart.draw(_report(), locale=locale)))
    for text in expected:
        assert text in shown


@pytest.mark.parametrize(
    ("locale", "expected"), [("nl", "1 vereniging deed mee"), ("en", "1 association took part")]
)
def test_one_association_taking_part_is_written_in_the_singular(locale, expected) -> None:
    rows = (ReportRow("a", "Alfa", 12),)
    report = _report(rows, total=12, associations=1)
    assert expected in "\n".join(_texts(kmtm_chart.draw(report, locale=locale)))
    assert expected in kmtm_chart.alt_text(report, locale=locale)


@pytest.mark.parametrize(
    ("total", "shown", "legend"),
    [(FEWER_THAN_K, "Totaal: minder dan 5", False), (SUPPRESSED, "Totaal: *", True)],
)
def test_a_hidden_total_stays_hidden_on_the_chart(total, shown, legend) -> None:
    rows = tuple(ReportRow(r.key, r.label, SUPPRESSED) for r in ROWS)
    texts = "\n".join(_texts(kmtm_chart.draw(_report(rows, total=total), locale="nl")))
    assert shown in texts
    assert ("Totaal verborgen" in texts) is legend
    # Every row hidden: no bar at all.
    [axes] = kmtm_chart.draw(_report(rows, total=total), locale="nl").axes
    assert list(axes.patches) == []


async def test_a_released_period_is_charted_as_the_ledger_has_it(db: Database) -> None:
    await small_closed_period(db)
    released = await release(db, "category")
    again = await release(db, "category")
    for report in (released, again):
        figure = kmtm_chart.draw(report, locale="nl")
        bars = {label: b for label, b in _bars_by_label(figure).items() if b}
        assert {label: round(b[0].get_width()) for label, b in bars.items()} == {
            "Seksueel geweld, fysiek": 7
        }
        texts = "\n".join(_texts(figure))
        assert "zaterdag 1 augustus 2026 t/m woensdag 30 september 2026" in texts
        assert "5 verenigingen deden mee" in texts
        assert "Totaal: 14" in texts


def _png_chunks(data: bytes) -> dict[bytes, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        assert (
            zlib.crc32(kind + body)
            == struct.unpack(">I", data[at + 8 + length : at + 12 + length])[0]
        )
        chunks.setdefault(kind, body)
        at += 12 + length
    return chunks


def test_the_png_is_for_print_at_300_dpi() -> None:
    chunks = _png_chunks(kmtm_chart.render_png(_report(), locale="nl"))
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    # 300 pixels per inch is 11811 per metre (unit 1), and 9 inches wide.
    assert struct.unpack(">IIB", chunks[b"pHYs"]) == (11811, 11811, 1)
    assert width == 2700
    assert 900 < height < 9000


def test_the_svg_has_text_a_bar_for_each_published_row_and_none_for_a_hidden_one() -> None:
    svg = ET.fromstring(kmtm_chart.render_svg(_report(), locale="nl"))  # noqa: S314 - our own output
    ids = {e.get("id") for e in svg.iter() if e.get("id")}
    assert {i for i in ids if i.startswith("bar-")} == {"bar-0", "bar-3"}
    assert {i for i in ids if i.startswith("hidden-")} == {"hidden-1", "hidden-2"}
    # Text stays text (searchable, editable for print), not outlines.
    texts = "\n".join("".join(e.itertext()) for e in svg.iter(f"{SVG}text"))
    for expected in (
        "KMTM 2026",
        "Alfa",
        "Charlie",
        "maandag 10 augustus 2026 t/m zondag 30 augustus 2026",
        "Totaal: 80",
    ):
        assert expected in texts


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            [
                "Staafdiagram",
                "KMTM 2026: contacten per vereniging",
                "maandag 10 augustus 2026 t/m zondag 30 augustus 2026",
                "Totaal: 80",
                "Alfa: 12",
                "Bravo: verborgen",
                "Delta: 30",
            ],
        ),
        (
            "en",
            [
                "Bar chart",
                "KMTM 2026: contacts per association",
                "Monday 10 August 2026 to Sunday 30 August 2026",
                "Total: 80",
                "Charlie: hidden",
            ],
        ),
    ],
)
def test_the_alt_text_reads_the_chart_out_in_the_readers_language(locale, expected) -> None:
    alt = kmtm_chart.alt_text(_report(), locale=locale)
    for text in expected:
        assert text in alt
    assert "*" not in alt  # a screen reader says "star"; the word is clearer


def test_the_alt_text_of_a_large_chart_fits_discords_limit_and_points_to_the_table() -> None:
    rows = tuple(
        ReportRow(str(i), f"Studentenvereniging nummer {i}", SUPPRESSED if i % 5 == 0 else i + 5)
        for i in range(200)
    )
    alt = kmtm_chart.alt_text(_report(rows, total=9000, associations=200), locale="nl")
    assert len(alt) <= kmtm_chart.ALT_TEXT_MAX == 1024
    assert "de tabel" in alt
    # The chart shows the 40 largest; the alt text says so, as the chart does.
    assert "40 grootste van 200" in alt


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("nl", "en nog 1 rij: zie de tabel"), ("en", "and 1 more row: see the table")],
)
def test_the_alt_text_says_one_row_more_in_the_singular(locale, expected) -> None:
    """The last name is just long enough that reading it out would pass Discord's limit
    by one character: the alt text leaves that one row to the table."""
    first = (ReportRow("a", "Alfa", 12), ReportRow("b", "Bravo", 7))
    room = kmtm_chart.ALT_TEXT_MAX - len(kmtm_chart.alt_text(_report(first), locale=locale))
    last = ReportRow("c", "C" * (room - len("; : 9") + 1), 9)
    alt = kmtm_chart.alt_text(_report((*first, last)), locale=locale)
    assert alt.endswith(expected)
    assert "Bravo: 7" in alt


async def test_the_association_count_is_the_same_on_every_breakdown(db: Database) -> None:
    """Associations that logged contacts or registered members, as the release lists them."""
    await network_of_five(db)
    await period(db)
    await log_plan(db, [(1001, "advice")] * 6 + [(1002, "advice")] * 5 + [(1003, "bullying")] * 5)
    await members(db, 1004, 180)  # Koko logged nothing, but gave its member count
    await close(db)
    counts = {by: (await release(db, by)).associations for by in ("category", "association")}
    assert counts == {"category": 4, "association": 4}
    assert (await release(db, "year")).associations is None


def test_a_release_without_any_association_still_draws_calmly() -> None:
    """No association logged or gave a member count: no rows, only "fewer than 5"."""
    report = _report((), total=FEWER_THAN_K, associations=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = kmtm_chart.draw(report, locale="nl")
    assert "Totaal: minder dan 5" in "\n".join(_texts(figure))
