"""The rhythm chart: interactions per month by kind, visits marked (crm.reports.chart)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from crm.reports.chart import PALETTE, SVG_NS, month_range, monthly_chart_svg
from tests.crm.reports.sample import liverpool_kunming

NS = {"svg": SVG_NS}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def months_drawn(root: ET.Element) -> list[str]:
    return [g.attrib["data-month"] for g in root.iterfind(".//svg:g[@class='month']", NS)]


def bar_heights(root: ET.Element, month: str) -> list[float]:
    group = root.find(f".//svg:g[@class='month'][@data-month='{month}']", NS)
    assert group is not None
    return [float(r.attrib["height"]) for r in group.iterfind("svg:rect", NS)]


def test_the_chart_parses_as_svg_with_a_title() -> None:
    report = liverpool_kunming()

    root = parse(monthly_chart_svg(report.monthly, report.visit_months))

    assert root.tag == f"{{{SVG_NS}}}svg"
    title = root.find("svg:title", NS)
    assert title is not None
    assert "Interactions per month" in (title.text or "")


def test_the_chart_has_one_bar_group_per_month_including_empty_months() -> None:
    monthly = {"2015-11": {"call": 1}, "2016-02": {"signing": 1}}

    root = parse(monthly_chart_svg(monthly, ()))

    assert months_drawn(root) == ["2015-11", "2015-12", "2016-01", "2016-02"]
    assert bar_heights(root, "2015-12") == []


def test_a_visit_month_beyond_the_interactions_extends_the_range_and_is_marked() -> None:
    root = parse(monthly_chart_svg({"2016-04": {"email": 1}}, ("2016-06",)))

    assert months_drawn(root) == ["2016-04", "2016-05", "2016-06"]
    visits = [g.attrib["data-month"] for g in root.iterfind(".//svg:g[@class='visit']", NS)]
    assert visits == ["2016-06"]


def test_the_sample_chart_marks_the_delegation_visit() -> None:
    report = liverpool_kunming()

    svg = monthly_chart_svg(report.monthly, report.visit_months)

    assert 'class="visit" data-month="2016-06"' in svg
    assert ">visit</text>" in svg


def test_bars_stack_by_kind_in_proportion_to_the_counts() -> None:
    root = parse(monthly_chart_svg({"2016-01": {"call": 1}, "2016-02": {"call": 2, "note": 2}}, ()))

    (single,) = bar_heights(root, "2016-01")
    assert bar_heights(root, "2016-02") == pytest.approx([single * 2, single * 2])


def test_each_kind_has_its_fixed_colour_and_a_legend_entry() -> None:
    svg = monthly_chart_svg({"2016-02": {"signing": 1, "site_visit": 1}}, ())

    legend = parse(svg).find("svg:g[@class='legend']", NS)
    assert legend is not None
    assert [t.text for t in legend.iterfind("svg:text", NS)] == ["signing", "site visit"]
    assert f'fill="{PALETTE["signing"]}"' in svg
    assert f'fill="{PALETTE["site_visit"]}"' in svg


def test_a_kind_the_palette_does_not_know_still_gets_a_colour() -> None:
    root = parse(monthly_chart_svg({"2016-02": {"webinar": 3}}, ()))

    (rect,) = root.iterfind(".//svg:g[@class='month']/svg:rect", NS)
    assert rect.attrib["fill"].startswith("#")


def test_a_kind_name_with_markup_is_escaped() -> None:
    svg = monthly_chart_svg({"2016-02": {"<script>alert(1)</script>": 1}}, ())

    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    parse(svg)


def test_the_first_month_and_each_january_are_labelled() -> None:
    root = parse(monthly_chart_svg({"2015-03": {"call": 1}, "2017-02": {"call": 1}}, ()))

    labels = [t.text for t in root.iterfind("svg:text", NS)]
    assert {"2015-03", "2016", "2017"} <= set(labels)


def test_the_same_data_in_another_order_draws_the_same_chart() -> None:
    one = {"2016-02": {"signing": 1, "banquet": 1}, "2015-09": {"meeting": 1}}
    other = {"2015-09": {"meeting": 1}, "2016-02": {"banquet": 1, "signing": 1}}

    assert monthly_chart_svg(one, ("2016-06", "2015-10")) == monthly_chart_svg(
        other, ("2015-10", "2016-06")
    )


def test_no_data_draws_a_small_chart_saying_no_interactions() -> None:
    svg = monthly_chart_svg({}, ())

    root = parse(svg)
    assert [t.text for t in root.iterfind("svg:text", NS)] == ["No interactions"]


def test_the_size_follows_the_arguments() -> None:
    root = parse(monthly_chart_svg({"2016-02": {"call": 1}}, (), width=400, height=120))

    assert (root.attrib["width"], root.attrib["height"]) == ("400", "120")


def test_a_month_that_is_not_yyyy_mm_is_refused() -> None:
    with pytest.raises(ValueError, match="2016-2"):
        month_range({"2016-2"})
