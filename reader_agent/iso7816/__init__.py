"""ISO/IEC 7816-4 building blocks shared by every card protocol (PIV, eMRTD).

Pure code: command APDUs, status words, BER-TLV, and the transmit helper that handles
command chaining, GET RESPONSE and wrong-Le retries over any ``Connection``.
"""
