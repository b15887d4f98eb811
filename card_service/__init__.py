"""The card issuance and verification service (FastAPI + SQLAlchemy 2).

One package per feature (holders, cards, readers, events, ...), each with its
own models, schemas, service functions, routes and errors. Routes parse, call a
service function and return; service functions take a Session and never commit.
"""
