"""Messages exchanged between reader agents and card_service, defined once.

Both ends import this package; it imports neither of them (checked by
import-linter). Enrolment, configuration, trust material and event batches live here.
"""
