"""Passive Authentication of ICAO 9303 eMRTDs (chip ID cards and passports).

``passive_authentication`` verifies a document's SOD: the CMS signature by the
Document Signer, the DS certificate against a ``CscaTrustStore`` (CSCA certificates
and CRLs, loaded singly or from signed CSCA master lists), every data group's hash,
and that the issuing state, the DS and the CSCA agree. Every failure raises a
specific ``PassiveAuthenticationError`` subclass (see ``crypto.emrtd.errors``).
"""

from crypto.emrtd.passive_auth import PassiveAuthenticationResult, passive_authentication
from crypto.emrtd.sod import Sod, parse_sod
from crypto.emrtd.trust_store import CscaTrustStore, MasterList, load_master_list

__all__ = [
    "CscaTrustStore",
    "MasterList",
    "PassiveAuthenticationResult",
    "Sod",
    "load_master_list",
    "parse_sod",
    "passive_authentication",
]
