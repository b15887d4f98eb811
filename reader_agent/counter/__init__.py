"""The citizen desk of a counter station (docs/citizen-counter.md).

Staff sign in with their own card on the counter's tap reader (reader_agent.modes); for
a citizen the clerk types the CAN on a local screen, the chip ID card is read on a
second reader and verified here, and the session is recorded by the service. The
face, the name and the document number live in this process's memory only, for the
length of the session at most.
"""
