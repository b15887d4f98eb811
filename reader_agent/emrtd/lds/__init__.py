"""Parsers for the Logical Data Structure (ICAO 9303-10): EF.COM and the data groups.

Every parser takes bytes read from a chip, is strict about TLV structure and lengths,
and raises LdsFormatError; the values it returns are unverified until Passive
Authentication has checked the data group's hash.
"""
