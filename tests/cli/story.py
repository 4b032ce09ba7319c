"""The seed story, typed through the CLI the way an officer would."""

from __future__ import annotations

from tests.clirunner import crm_json

OWNER = "international.office@liverpool.example"


def add_story(db: str) -> dict[str, str]:
    """Log organisations, people, the partnership and its mission; return their ids."""
    ids: dict[str, str] = {}

    def new(key: str, *args: str) -> None:
        ids[key] = crm_json(*args, db=db)["id"]

    new(
        "liverpool",
        "org",
        "add",
        "Liverpool City Council",
        "--kind",
        "city_government",
        "--country",
        "GB",
        "--city",
        "Liverpool",
        "--timezone",
        "Europe/London",
        "--alias",
        "Liverpool",
        "--ours",
    )
    new(
        "invest",
        "org",
        "add",
        "Invest Liverpool",
        "--kind",
        "agency",
        "--city",
        "Liverpool",
        "--timezone",
        "Europe/London",
        "--ours",
    )
    new(
        "kunming",
        "org",
        "add",
        "Kunming Municipal People's Government",
        "--kind",
        "city_government",
        "--country",
        "cn",
        "--city",
        "Kunming",
        "--timezone",
        "Asia/Shanghai",
        "--native-name",
        "昆明市人民政府",
        "--alias",
        "Kunming",
    )
    new(
        "zhao",
        "contact",
        "add",
        "Zhao Xuenong",
        "--family-name-first",
        "--org",
        "Kunming",
        "--title",
        "Vice Mayor",
        "--since",
        "2015-01-01",
        "--email",
        "zhao@km.example.cn",
    )
    new(
        "guan",
        "contact",
        "add",
        "Guan Qinghua",
        "--family-name-first",
        "--org",
        "Kunming",
        "--title",
        "Vice Mayor",
    )
    new(
        "millar",
        "contact",
        "add",
        "Gary Millar",
        "--honorific",
        "Cllr",
        "--org",
        "Liverpool",
        "--title",
        "Vice Mayor",
    )
    new(
        "cutler",
        "contact",
        "add",
        "Ellen Cutler",
        "--org",
        "Invest Liverpool",
        "--title",
        "Director",
    )
    new("anderson", "contact", "add", "Joe Anderson", "--org", "Liverpool", "--title", "Mayor")
    new(
        "partnership",
        "partnership",
        "add",
        "Liverpool-Kunming Friendship",
        "--between",
        "Liverpool",
        "--and",
        "Kunming",
        "--kind",
        "friendship",
        "--sector",
        "Trade and Investment",
        "--sector",
        "education",
        "--owner",
        OWNER,
    )
    new(
        "mission",
        "mission",
        "add",
        "Liverpool trade mission to China",
        "--direction",
        "outbound",
        "--start",
        "2015-09-14",
        "--end",
        "2015-09-19",
        "--place",
        "Kunming",
        "--partnership",
        "Liverpool-Kunming",
        "--head",
        "Joe Anderson",
    )
    return ids
