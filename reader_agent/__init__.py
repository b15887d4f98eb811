"""The reader agent: the process beside every card reader.

Protocol code (APDUs, TLV, PIV, eMRTD) is pure and runs over the abstract
``Connection`` in ``reader_agent.connection``; ``reader_agent.pcsc`` is the one module
that imports pyscard. The agent talks to card_service only over HTTP.
"""
