"""The card-authentication certificate profile: issuing, strict parsing, round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crypto.card_certificates import (
    CardCertificateProfile,
    issue_card_certificate,
    parse_card_certificate,
)
from crypto.errors import IssuanceError, MalformedInputError, ProfileViolationError
from crypto.issuers import CertificateAuthority, create_root_ca, issue_issuing_ca
from crypto.keys import key_id
from crypto.oids import HOLDER_ID, PIV_CARD_AUTH
from crypto.signers import FileSigner
from tests.crypto.pki import CRL_URL, NOW, PROFILE, forge_card_certificate, make_pki

PKI = make_pki()  # one for the property tests (fixtures do not mix with @given)
CARD_KEY = ec.generate_private_key(ec.SECP256R1())
FIXED_CARD = PKI.card()
# A root that outlives 2050, so the round trip covers GeneralizedTime too.
LONG_ROOT = create_root_ca(
    FileSigner.generate(),
    common_name="R",
    organization="O",
    now=datetime(2025, 1, 1, tzinfo=UTC),
    validity=timedelta(days=100 * 365),
)


def test_parse_returns_what_was_bound(pki):
    card = pki.card(serial=0x0123456789ABCDEF)
    facts = parse_card_certificate(card.der)
    assert facts.card_id == card.card_id
    assert facts.holder_id == card.holder_id
    assert facts.serial == 0x0123456789ABCDEF
    assert facts.issuer_key_id == pki.issuing.key_id
    assert facts.key_id == key_id(card.key.public_key())
    assert facts.public_key == card.key.public_key()
    assert facts.not_before == NOW
    assert facts.not_after == NOW + timedelta(days=1826)
    assert facts.crl_url == CRL_URL
    assert len(facts.fingerprint) == 32


def test_the_certificate_carries_the_profile_as_cryptography_reads_it(pki):
    card = pki.card()
    certificate = x509.load_der_x509_certificate(card.der)
    extensions = certificate.extensions
    assert certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == str(
        card.card_id
    )
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    usage = extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert not usage.value.key_cert_sign
    eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [PIV_CARD_AUTH]
    assert PIV_CARD_AUTH.dotted_string == "2.16.840.1.101.3.6.8"
    san = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == [f"urn:uuid:{card.card_id}"]
    aki = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == bytes.fromhex(pki.issuing.key_id)
    ski = extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski.digest.hex() == key_id(card.key.public_key())
    holder = extensions.get_extension_for_oid(HOLDER_ID)
    assert not holder.critical
    assert isinstance(holder.value, x509.UnrecognizedExtension)
    assert holder.value.value == b"\x04\x10" + card.holder_id.bytes
    basic = extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical
    assert basic.value.ca is False
    assert basic.oid == ExtensionOID.BASIC_CONSTRAINTS


def test_validity_defaults_to_five_years_and_may_not_exceed_the_maximum(pki):
    key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(IssuanceError):
        issue_card_certificate(
            pki.issuing,
            card_id=uuid4(),
            holder_id=uuid4(),
            card_public_key=key.public_key(),
            now=NOW,
            profile=PROFILE,
            validity=timedelta(days=1827),
        )
    short = CardCertificateProfile(crl_url=CRL_URL, max_validity=timedelta(days=365))
    der = issue_card_certificate(
        pki.issuing,
        card_id=uuid4(),
        holder_id=uuid4(),
        card_public_key=key.public_key(),
        now=NOW,
        profile=short,
    )
    assert parse_card_certificate(der).not_after == NOW + timedelta(days=365)


def test_a_card_may_not_outlive_its_issuing_ca(pki):
    late = pki.issuing.certificate.not_valid_after_utc - timedelta(days=10)
    with pytest.raises(IssuanceError):
        pki.card(now=late)


def test_issuing_refuses_a_key_that_is_not_p256(pki):
    with pytest.raises(MalformedInputError):
        issue_card_certificate(
            pki.issuing,
            card_id=uuid4(),
            holder_id=uuid4(),
            card_public_key=ec.generate_private_key(ec.SECP384R1()).public_key(),
            now=NOW,
            profile=PROFILE,
        )


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    card_id=st.uuids(),
    holder_id=st.uuids(),
    serial=st.integers(min_value=1, max_value=2**159 - 1),
    seconds=st.integers(min_value=0, max_value=40 * 365 * 86400),
    days=st.integers(min_value=1, max_value=1826),
    url=st.from_regex(r"https://[a-z0-9.]{1,60}/[a-z0-9/._-]{0,120}", fullmatch=True),
)
def test_round_trip_through_our_parser_and_cryptography(
    card_id, holder_id, serial, seconds, days, url
):
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    profile = CardCertificateProfile(crl_url=url)
    signer = FileSigner.generate()
    issuing = CertificateAuthority(
        signer,
        issue_issuing_ca(LONG_ROOT, signer.public_key, common_name="I", organization="O", now=now),
    )
    der = issue_card_certificate(
        issuing,
        card_id=card_id,
        holder_id=holder_id,
        card_public_key=CARD_KEY.public_key(),
        now=now,
        profile=profile,
        validity=timedelta(days=days),
        serial=serial,
    )
    facts = parse_card_certificate(der)
    reference = x509.load_der_x509_certificate(der)  # the other parser agrees
    assert (facts.card_id, facts.holder_id, facts.serial) == (card_id, holder_id, serial)
    assert facts.serial == reference.serial_number
    assert facts.not_before == reference.not_valid_before_utc == now.replace(microsecond=0)
    assert facts.not_after == reference.not_valid_after_utc
    assert facts.crl_url == url
    assert facts.issuer_key_id == issuing.key_id


@pytest.mark.parametrize(
    "leave_out",
    [
        ExtensionOID.KEY_USAGE,
        ExtensionOID.EXTENDED_KEY_USAGE,
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
        ExtensionOID.CRL_DISTRIBUTION_POINTS,
        HOLDER_ID,
    ],
    ids=lambda oid: oid.dotted_string,
)
def test_a_missing_extension_is_outside_the_profile(pki, leave_out):
    key = ec.generate_private_key(ec.SECP256R1())
    der = forge_card_certificate(pki.issuing, key.public_key(), leave_out=frozenset([leave_out]))
    with pytest.raises(ProfileViolationError):
        parse_card_certificate(der)


def test_the_forger_makes_an_acceptable_certificate_when_told_nothing(pki):
    """So the refusals above are about the one thing each test changed."""
    key = ec.generate_private_key(ec.SECP256R1())
    assert parse_card_certificate(forge_card_certificate(pki.issuing, key.public_key()))


def test_an_extra_extension_is_outside_the_profile(pki):
    key = ec.generate_private_key(ec.SECP256R1())
    extra = x509.Extension(ExtensionOID.OCSP_NO_CHECK, critical=False, value=x509.OCSPNoCheck())
    der = forge_card_certificate(pki.issuing, key.public_key(), add=(extra,))
    with pytest.raises(ProfileViolationError):
        parse_card_certificate(der)


def test_another_extended_key_usage_is_outside_the_profile(pki):
    key = ec.generate_private_key(ec.SECP256R1())
    der = forge_card_certificate(
        pki.issuing,
        key.public_key(),
        leave_out=frozenset([ExtensionOID.EXTENDED_KEY_USAGE]),
        add=(
            x509.Extension(
                ExtensionOID.EXTENDED_KEY_USAGE,
                critical=True,
                value=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
            ),
        ),
    )
    with pytest.raises(ProfileViolationError):
        parse_card_certificate(der)


def test_a_ca_certificate_is_not_a_card_certificate(pki):
    from cryptography.hazmat.primitives import serialization

    der = pki.issuing.certificate.public_bytes(serialization.Encoding.DER)
    with pytest.raises(ProfileViolationError):
        parse_card_certificate(der)


def test_a_card_id_that_is_not_a_canonical_uuid_is_refused(pki):
    key = ec.generate_private_key(ec.SECP256R1())
    upper = UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
    der = forge_card_certificate(pki.issuing, key.public_key(), card_id=upper)
    assert parse_card_certificate(der).card_id == upper
    tampered = der.replace(str(upper).encode(), str(upper).upper().encode())
    with pytest.raises(ProfileViolationError):
        parse_card_certificate(tampered)


def test_sha1_signed_certificates_are_refused(pki):
    key = ec.generate_private_key(ec.SECP256R1())
    der = forge_card_certificate(pki.issuing, key.public_key())
    certificate = x509.load_der_x509_certificate(der)
    builder = (
        x509.CertificateBuilder()
        .subject_name(certificate.subject)
        .issuer_name(certificate.issuer)
        .public_key(key.public_key())
        .serial_number(certificate.serial_number)
        .not_valid_before(certificate.not_valid_before_utc)
        .not_valid_after(certificate.not_valid_after_utc)
    )
    for extension in certificate.extensions:
        builder = builder.add_extension(extension.value, critical=extension.critical)
    from cryptography.hazmat.primitives import serialization

    sha384 = builder.sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA384())
    with pytest.raises(ProfileViolationError):
        parse_card_certificate(sha384.public_bytes(serialization.Encoding.DER))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=700))
def test_arbitrary_bytes_never_crash_the_parser(data):
    with pytest.raises(MalformedInputError):
        parse_card_certificate(data)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_single_byte_change_is_refused_or_parses_to_other_facts(data):
    """The parser is strict: a changed byte either fails or shows in the facts (the
    issuer's signature, checked by crypto.tap, then refuses it)."""
    original = FIXED_CARD
    position = data.draw(st.integers(min_value=0, max_value=len(original.der) - 1))
    value = data.draw(st.integers(min_value=0, max_value=255).filter(
        lambda v: v != original.der[position]))  # fmt: skip
    changed = original.der[:position] + bytes([value]) + original.der[position + 1 :]
    before = parse_card_certificate(original.der)
    try:
        after = parse_card_certificate(changed)
    except MalformedInputError:
        return
    assert after.fingerprint != before.fingerprint


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(FIXED_CARD.der) - 1), tail=st.binary(max_size=8))
def test_a_truncated_certificate_with_any_tail_is_malformed(cut, tail):
    data = FIXED_CARD.der[:cut] + tail
    # A tail as long as the cut is a substitution (tested above), not a truncation.
    assume(len(data) != len(FIXED_CARD.der))
    with pytest.raises(MalformedInputError):
        parse_card_certificate(data)
