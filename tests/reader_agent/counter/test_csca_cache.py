"""The counter's CSCA list: verified with the configuration keys, kept on disk, never
rolled back, and its absence fails closed (an empty store trusts no chip)."""

from __future__ import annotations

import base64
import json

import pytest

from crypto.documents import sign_document
from crypto.errors import VerificationError
from crypto.signers import FileSigner
from reader_agent.counter.csca_cache import CscaCache, CscaRollbackError
from reader_agent.virtual.id_card_state import load_trust_material
from reader_protocol.counter import CSCA_LIST_KIND, CSCA_LIST_VERSION, CscaEntry, CscaList
from tests.reader_agent.counter.conftest import NOW

SIGNER = FileSigner.generate()


def _document(card_dir, sequence, *, signer=SIGNER, kind=CSCA_LIST_KIND) -> bytes:
    csca = load_trust_material(card_dir).csca_certificate
    from cryptography.hazmat.primitives.serialization import Encoding

    listed = CscaList(
        sequence=sequence,
        issued_at=NOW,
        cscas=[CscaEntry(certificate=csca.public_bytes(Encoding.DER), source="master_list")],
    )
    return sign_document(
        signer, kind=kind, version=CSCA_LIST_VERSION, content=listed.model_dump(mode="json")
    )


def _trusted(cache: CscaCache) -> int:
    return len(cache.store.certificates)


def _cache(tmp_path) -> CscaCache:
    return CscaCache(tmp_path / "trust", keys={SIGNER.key_id: SIGNER.public_key})


def test_a_list_is_verified_kept_and_restored(tmp_path, card_dir) -> None:
    cache = _cache(tmp_path)
    assert _trusted(cache) == 0  # nothing trusted until a list arrives
    assert cache.offer(_document(card_dir, 3)) is True
    assert _trusted(cache) == 1
    assert (tmp_path / "trust" / "csca.json").stat().st_mode & 0o077 == 0
    assert cache.offer(_document(card_dir, 3)) is False
    restored = _cache(tmp_path)
    restored.restore()
    assert (restored.sequence, len(restored.store.certificates)) == (3, 1)


def test_an_older_list_is_refused(tmp_path, card_dir) -> None:
    cache = _cache(tmp_path)
    cache.offer(_document(card_dir, 3))
    with pytest.raises(CscaRollbackError):
        cache.offer(_document(card_dir, 2))
    assert cache.sequence == 3


@pytest.mark.parametrize("case", ["stranger", "wrong kind"])
def test_a_list_that_does_not_verify_is_refused(tmp_path, card_dir, case) -> None:
    cache = _cache(tmp_path)
    document = (
        _document(card_dir, 1, signer=FileSigner.generate())
        if case == "stranger"
        else _document(card_dir, 1, kind="hue-ecard/reader-config")
    )
    with pytest.raises(VerificationError):
        cache.offer(document)
    assert not (tmp_path / "trust" / "csca.json").exists()


def test_a_held_list_that_no_longer_verifies_is_not_used(tmp_path, card_dir) -> None:
    cache = _cache(tmp_path)
    cache.offer(_document(card_dir, 1))
    path = tmp_path / "trust" / "csca.json"
    envelope = json.loads(path.read_bytes())
    body = json.loads(base64.urlsafe_b64decode(envelope["body"] + "=="))
    body["content"]["sequence"] = 9  # a stored list edited on disk
    raw = json.dumps(body, separators=(",", ":")).encode()
    envelope["body"] = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    path.write_text(json.dumps(envelope))
    restored = _cache(tmp_path)
    restored.restore()
    assert (restored.sequence, restored.store.certificates) == (-1, ())
