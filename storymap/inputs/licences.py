"""The table of data sources and their licences: the one place a licence or a credit is written.

A layer's feature is drawn from a data source when its `sources` list the source's key (a key of
references.json, e.g. "openstreetmap"). The interactive map's credits (maps.py), the static maps'
credits (static_maps.py), the data dictionary, the licence note and each downloaded layer's
attribution (downloads.py) all read this table. Adding a data source is one entry here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import escape


@dataclass(frozen=True)
class DataSource:
    """A public data set the layers are drawn from.

    `credit` is what the licence asks a map to show, `copyright` whether "©" precedes it, and
    `short_licence` the licence's short name shown after it ("ODbL"), if any. `url` is where the
    credit links. `licence` is the licence's full name, `terms` what it asks of a reuser (the data
    dictionary), `note` the licence note's line (LICENSE.md in the download).
    """

    key: str
    name: str
    licence: str
    credit: str
    url: str
    terms: str
    note: str
    copyright: bool = False
    short_licence: str | None = None

    @property
    def credit_text(self) -> str:
        """The credit as plain text: "© OpenStreetMap contributors (ODbL)"."""
        return self._credit(self.credit)

    @property
    def credit_html(self) -> str:
        """The credit with a link to the source, for the interactive map's attribution control."""
        return self._credit(f'<a href="{escape(self.url)}" rel="noreferrer">{escape(self.credit)}</a>')

    def _credit(self, name: str) -> str:
        return ("© " if self.copyright else "") + name + (f" ({self.short_licence})" if self.short_licence else "")


_SOURCES = (  # in the order credits are given: OSM first, as it binds most
    DataSource(
        "openstreetmap", "OpenStreetMap", "Open Database License (ODbL) 1.0", "OpenStreetMap contributors",
        "https://www.openstreetmap.org/copyright",
        terms=("share-alike: a database derived from these layers must be shared under the ODbL; "
               "show \"© OpenStreetMap contributors\" wherever the data or a map of it is shown "
               "(https://www.openstreetmap.org/copyright)"),
        note=("© OpenStreetMap contributors. Open Database License (ODbL) 1.0,\n"
              "  https://opendatacommons.org/licenses/odbl/1-0/. The layers derived from it are shared under\n"
              "  the same licence (share-alike); see https://www.openstreetmap.org/copyright."),
        copyright=True, short_licence="ODbL"),
    DataSource(
        "naturalearth", "Natural Earth", "public domain", "Natural Earth", "https://www.naturalearthdata.com/",
        terms="no restrictions; a credit (\"Made with Natural Earth\") is welcome but not required",
        note="public domain, https://www.naturalearthdata.com/about/terms-of-use/."),
    DataSource(
        "geonames", "GeoNames", "Creative Commons Attribution 4.0 (CC BY 4.0)", "GeoNames", "https://www.geonames.org/",
        terms="credit \"GeoNames\" (https://www.geonames.org/) wherever the data is used",
        note=("Creative Commons Attribution 4.0, https://creativecommons.org/licenses/by/4.0/;\n"
              "  credit \"GeoNames\" (https://www.geonames.org/)."),
        short_licence="CC BY 4.0"),
)

#: Every data source by key, in the order credits are given.
DATA_SOURCES: dict[str, DataSource] = {source.key: source for source in _SOURCES}

#: The licence of the story's own text, figures and data (names, descriptions, schematic lines).
STORY_LICENCE = "Creative Commons Attribution 4.0 (CC BY 4.0)"
STORY_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
STORY_CONTENT_TERMS = ("The names, descriptions and schematic drawings (routes, fences, sites) are the story's own "
                       f"data, shared under {STORY_LICENCE}, {STORY_LICENCE_URL}: reuse them freely, crediting "
                       "\"Between Borders\". Where a layer is derived from OpenStreetMap, the whole layer is also "
                       "shared under the ODbL 1.0.")


def data_sources(features: Iterable[dict]) -> list[DataSource]:
    """The data sources these features are drawn from (their `sources`), each once, in credit order."""
    keys = {key for feature in features for key in feature["sources"]}
    return [source for key, source in DATA_SOURCES.items() if key in keys]


def credit_line(features: Iterable[dict]) -> str:
    """"© OpenStreetMap contributors (ODbL); Natural Earth; GeoNames (CC BY 4.0)": the credits the
    licences of these features' data ask for, or "" when none does."""
    return "; ".join(source.credit_text for source in data_sources(features))
