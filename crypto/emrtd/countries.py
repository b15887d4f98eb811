"""ISO 3166 alpha-3 (MRZ, DG1) to alpha-2 (certificate country names) for the states
whose documents a Vietnamese service counter meets most. An unknown code is refused
rather than guessed: an operator adds it here."""

from __future__ import annotations

ALPHA3_TO_ALPHA2 = {
    "VNM": "VN",
    "KHM": "KH",
    "LAO": "LA",
    "THA": "TH",
    "MYS": "MY",
    "SGP": "SG",
    "IDN": "ID",
    "PHL": "PH",
    "MMR": "MM",
    "BRN": "BN",
    "TLS": "TL",
    "CHN": "CN",
    "TWN": "TW",
    "HKG": "HK",
    "JPN": "JP",
    "KOR": "KR",
    "IND": "IN",
    "AUS": "AU",
    "NZL": "NZ",
    "USA": "US",
    "CAN": "CA",
    "GBR": "GB",
    "FRA": "FR",
    "D": "DE",
    "DEU": "DE",
    "NLD": "NL",
    "BEL": "BE",
    "ITA": "IT",
    "ESP": "ES",
    "CHE": "CH",
    "AUT": "AT",
    "SWE": "SE",
    "NOR": "NO",
    "DNK": "DK",
    "FIN": "FI",
    "POL": "PL",
    "CZE": "CZ",
    "RUS": "RU",
    "UKR": "UA",
    "UTO": "UT",  # UTO: ICAO's fictional Utopia
}


def alpha2_of(mrz_state: str) -> str | None:
    return ALPHA3_TO_ALPHA2.get(mrz_state.replace("<", ""))
