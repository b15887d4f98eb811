"""``GET /reader/csca``: the curated CSCAs, signed with the reader-configuration key,
for counter readers only."""

from __future__ import annotations

from datetime import timedelta

from card_service.csca.service import import_material
from card_service.orgunits.models import UnitKind
from card_service.orgunits.service import create_unit
from crypto.documents import open_document
from reader_agent.virtual.emrtd_issuer import make_csca
from reader_protocol.counter import CSCA_LIST_KIND, CSCA_LIST_VERSION, CscaList
from tests.card_service.service_usage.test_citizen_sessions import _enrol


def test_a_counter_reader_gets_the_signed_list(
    client, org, session, as_user, clock, pki, access_context
) -> None:
    counter = create_unit(
        session, kind=UnitKind.COUNTER, code="Q-CSCA", name="Quầy 9", parent=org.units["centre"]
    )
    session.commit()
    reader = _enrol(client, as_user, counter, "counter")
    empty = client.get("/api/v1/reader/csca", headers=reader.headers(clock.now))
    assert empty.status_code == 200, empty.text
    assert empty.headers["X-Csca-Sequence"] == "0"

    csca = make_csca(country="VN", common_name="CSCA", not_before=clock.now - timedelta(days=1))
    import_material(
        session, csca.certificate_der(), anchors=[], note="checked", actor="test", now=clock.now
    )
    session.commit()
    answer = client.get("/api/v1/reader/csca", headers=reader.headers(clock.now))
    key = access_context.signer.public_key
    opened = open_document(
        answer.content,
        kind=CSCA_LIST_KIND,
        versions={CSCA_LIST_VERSION},
        keys={access_context.signer.key_id: key},
    )
    listed = CscaList.model_validate(opened.content)
    assert listed.sequence == 1
    assert [entry.certificate for entry in listed.cscas] == [csca.certificate_der()]
    assert answer.headers["X-Csca-Sequence"] == "1"


def test_other_readers_are_refused(client, org, as_user, clock, pki) -> None:
    door = _enrol(client, as_user, org.units["snv"], "door")
    answer = client.get("/api/v1/reader/csca", headers=door.headers(clock.now))
    assert answer.status_code == 403
    assert client.get("/api/v1/reader/csca", headers=as_user("admin")).status_code == 401
