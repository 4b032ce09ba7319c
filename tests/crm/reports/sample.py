"""A realistic timeline report: the Liverpool and Kunming Friendship Partnership, May 2016."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crm.reports.model import (
    AgreementLine,
    FollowUpLine,
    PersonAtTime,
    TimelineItem,
    TimelineReport,
    VisitLine,
)

SHANGHAI = "Asia/Shanghai"
LONDON = "Europe/London"
LCC = "Liverpool City Council"
KMPG = "Kunming Municipal People's Government"
TITLE = "Liverpool\N{EN DASH}Kunming Friendship Partnership"
SECTORS = ("trade and investment", "technology and science", "education", "culture", "tourism")

ANDERSON = PersonAtTime("contact-anderson", "Joe Anderson", "Mayor", LCC)
GUAN = PersonAtTime("contact-guan", "Guan Qinghua", "Vice Mayor", KMPG)
MILLAR = PersonAtTime("contact-millar", "Cllr Gary Millar", "Vice Mayor", LCC)
ZHAO = PersonAtTime("contact-zhao", "Zhao Xuenong", "Vice Mayor", KMPG)
CUTLER = PersonAtTime("contact-cutler", "Ellen Cutler", "Director", "Invest Liverpool")


def at(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in the zone where it happened (midnight: a day without a time)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def item(position: int, kind: str, when: datetime, title: str, **rest: Any) -> TimelineItem:
    """A timeline item with ids made from its position."""
    zone = str(when.tzinfo)
    return TimelineItem(
        f"row-{position}", f"entry-{position}", kind, when, zone, title, position, **rest
    )


ITEMS = (
    item(
        1,
        "meeting",
        at(SHANGHAI, 2015, 9, 16, 10, 0),
        "Meeting with Vice Mayor Guan Qinghua",
        place="Kunming",
        people=(ANDERSON, GUAN),
        summary=(
            "Mayor Anderson proposed a friendship partnership built on trade, education "
            "and culture.\nVice Mayor Guan welcomed it and named the Foreign Affairs Office "
            "as the contact point."
        ),
        outcomes=("Both sides to draft a Friendship Partnership Agreement",),
        gifts=("Liverpool waterfront print (given)", "Pu'er tea set (received)"),
        is_corrected=True,
        corrections=("Time corrected from 03:00 to 10:00: it was first entered in London time",),
    ),
    item(2, "status", at(LONDON, 2015, 9, 21), "Status: proposed → negotiating"),
    item(
        3,
        "call",
        at(LONDON, 2015, 11, 12, 8, 30),
        "Call with the Kunming Foreign Affairs Office on the draft agreement",
        people=(CUTLER,),
        summary="Agreed the sector list; Kunming asked to add tourism.",
    ),
    item(
        4,
        "signing",
        at(SHANGHAI, 2016, 2, 25, 10, 0),
        "Friendship Partnership Agreement signed",
        place="Kunming",
        people=(MILLAR, ZHAO, CUTLER),
        summary="Signed by Cllr Gary Millar and Zhao Xuenong; witnessed by Ellen Cutler.",
        outcomes=("Agreement in force until 2021-02-25",),
    ),
    item(5, "status", at(SHANGHAI, 2016, 2, 25, 10, 0), "Status: negotiating → active"),
    item(
        6,
        "banquet",
        at(SHANGHAI, 2016, 2, 25, 19, 0),
        "Signing banquet hosted by Kunming Municipal People's Government",
        place="Kunming",
        people=(MILLAR, ZHAO),
    ),
    item(
        7,
        "email",
        at(LONDON, 2016, 4, 12, 9, 30),
        "Invitation to the International Festival for Business 2016 sent",
        people=(CUTLER,),
    ),
    item(
        8,
        "mission",
        at(LONDON, 2016, 4, 28),
        "Inbound delegation for the International Festival for Business planned",
        place="Liverpool",
    ),
)


def liverpool_kunming() -> TimelineReport:
    """The partnership as its officer would read it before the IFB 2016 delegation arrives."""
    return TimelineReport(
        subject_kind="partnership",
        subject_id="partnership-5b0c1f3e-4d8a-4a53-9a57-1e3c2f9d7a10",
        title=TITLE,
        generated_at=datetime(2016, 5, 10, 9, 0, tzinfo=UTC),
        items=ITEMS,
        as_of=datetime(2016, 5, 10, 9, 0, tzinfo=UTC),
        parties=(LCC, KMPG),
        kind="friendship",
        status="active",
        sectors=(
            "trade and investment",
            "technology and science",
            "education",
            "culture",
            "tourism",
        ),
        owner="china.desk@liverpool.example",
        agreements=(
            AgreementLine(
                "agreement-1",
                "Friendship Partnership Agreement",
                date(2016, 2, 25),
                "Kunming",
                expires_on=date(2021, 2, 25),
            ),
        ),
        people=(ANDERSON, CUTLER, GUAN, MILLAR, ZHAO),
        open_followups=(
            FollowUpLine(
                "followup-1",
                "Send the IFB delegation programme to the Kunming Foreign Affairs Office",
                "china.desk@liverpool.example",
                "2016-05-20",
                date(2016, 5, 20),
            ),
        ),
        upcoming_visits=(
            VisitLine(
                "mission-1",
                "Kunming delegation to the International Festival for Business",
                "inbound",
                date(2016, 6, 20),
                date(2016, 6, 23),
                ("Liverpool",),
            ),
        ),
        monthly={
            "2015-09": {"meeting": 1},
            "2015-11": {"call": 1},
            "2016-02": {"banquet": 1, "signing": 1},
            "2016-04": {"email": 1},
        },
        visit_months=("2016-06",),
    )
