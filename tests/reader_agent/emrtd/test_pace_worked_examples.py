"""ICAO Doc 9303-11 PACE worked examples, reproduced byte for byte.

Appendix G.1 (ECDH Generic Mapping, brainpoolP256r1, AES-128) runs as a full APDU
transcript through ``perform_pace``; the DH Generic Mapping and both Integrated Mapping
examples check the cryptographic steps (nonce, mapping, key agreement, keys, tokens).
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from reader_agent.emrtd.errors import AccessControlError, PasswordBlockedError
from reader_agent.emrtd.groups import RFC5114_1024_160, DhGroup, EcGroup, standard_group
from reader_agent.emrtd.keys.access import CanKey, MrzKey
from reader_agent.emrtd.keys.cipher import CipherSuite
from reader_agent.emrtd.keys.kdf import COUNTER_ENC, COUNTER_MAC, KeyKind, kdf
from reader_agent.emrtd.pace import authentication_token, password_key, perform_pace
from reader_agent.emrtd.pace_mapping import map_dh, map_ec, pseudo_random
from reader_agent.emrtd.security_infos import parse_security_infos
from tests.support.recorded import RecordedConnection


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def n(text: str) -> int:
    return int.from_bytes(h(text), "big")


AES128 = CipherSuite(KeyKind.AES128)
MRZ_G = MrzKey("T22000129", "640812", "101031")
CARD_ACCESS_G1 = h("31143012060A04007F0007020204020202010202010D")
SK_MAP_IFD = n("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99")
SK_DH_IFD = n("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")
PK_MAP_IFD = h(
    "047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
    "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
)
PK_MAP_IC = h(
    "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
    "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
)
PK_DH_IFD = h(
    "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
    "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
)
PK_DH_IC = h(
    "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
    "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
)
MAPPED_G = h(
    "048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
    "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
)
G1_TRANSCRIPT = [
    ("0022C1A412800A04007F0007020204020283010184010D", "9000"),
    ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
    ("10860000457C438141" + PK_MAP_IFD.hex() + "00", "7C438241" + PK_MAP_IC.hex() + "9000"),
    ("10860000457C438341" + PK_DH_IFD.hex() + "00", "7C438441" + PK_DH_IC.hex() + "9000"),
    ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
]


def scripted_keys(*keys: int):
    remaining = iter(keys)
    return lambda _group: next(remaining)


def g1_info():
    (info,) = parse_security_infos(CARD_ACCESS_G1).pace
    return info


def test_card_access_of_appendix_g1_names_ecdh_gm_aes128_on_brainpool_p256():
    info = g1_info()
    assert (info.protocol, info.version, info.parameter_id) == ("0.4.0.127.0.7.2.2.4.2.2", 2, 13)
    assert info.mapping == "ECDH-GM"
    assert info.cipher is KeyKind.AES128


def test_g1_password_key_and_nonce():
    assert MRZ_G.password() == h("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
    k_pi = password_key(MRZ_G, KeyKind.AES128)
    assert k_pi == h("89DED1B26624EC1E634C1989302849DD")
    assert AES128.decrypt(k_pi, h("95A3A016522EE98D01E76CB6B98B42C3")) == h(
        "3F00C4D39D153F2B2A214A078D899B22"
    )


def test_g1_mapping_key_agreement_and_keys_step_by_step():
    group = standard_group(13)
    assert isinstance(group, EcGroup)
    assert group.public(SK_MAP_IFD) == PK_MAP_IFD
    mapped = group.map_generic(n("3F00C4D39D153F2B2A214A078D899B22"), SK_MAP_IFD, PK_MAP_IC)
    assert mapped.generator_bytes() == MAPPED_G
    assert mapped.public(SK_DH_IFD) == PK_DH_IFD
    shared = mapped.agree(SK_DH_IFD, PK_DH_IC)
    assert shared == h("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
    assert kdf(shared, COUNTER_ENC, KeyKind.AES128) == h("F5F0E35C0D7161EE6724EE513A0D9A7F")
    assert kdf(shared, COUNTER_MAC, KeyKind.AES128) == h("FE251C7858B356B24514B3BD5F4297D1")


def test_g1_full_transcript_through_perform_pace():
    card = RecordedConnection(G1_TRANSCRIPT)
    result = perform_pace(card, MRZ_G, g1_info(), private_key=scripted_keys(SK_MAP_IFD, SK_DH_IFD))
    card.assert_finished()
    assert result.sm.ks_enc == h("F5F0E35C0D7161EE6724EE513A0D9A7F")
    assert result.sm.ks_mac == h("FE251C7858B356B24514B3BD5F4297D1")
    assert result.sm.ssc == 0


def test_g1_shared_secret_agrees_with_an_independent_ecdh():
    """Cross-check: cryptography's ECDH on the standard generator gives the same x as ours."""
    group = standard_group(13)
    theirs = ec.generate_private_key(ec.BrainpoolP256R1())
    their_public = theirs.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    ours = group.random_private()
    our_public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.BrainpoolP256R1(), group.public(ours)
    )
    expected = theirs.exchange(ec.ECDH(), our_public)
    assert group.agree(ours, their_public) == expected


def test_a_wrong_chip_token_means_a_wrong_password():
    transcript = [*G1_TRANSCRIPT[:-1], (G1_TRANSCRIPT[-1][0], "63C2")]
    card = RecordedConnection(transcript)
    with pytest.raises(AccessControlError) as raised:
        perform_pace(card, MRZ_G, g1_info(), private_key=scripted_keys(SK_MAP_IFD, SK_DH_IFD))
    assert raised.value.retries_left == 2


def test_a_forged_chip_token_is_refused():
    transcript = [*G1_TRANSCRIPT[:-1], (G1_TRANSCRIPT[-1][0], "7C0A86083ABB9674BCE93C099000")]
    card = RecordedConnection(transcript)
    with pytest.raises(AccessControlError, match="token"):
        perform_pace(card, MRZ_G, g1_info(), private_key=scripted_keys(SK_MAP_IFD, SK_DH_IFD))


def test_a_blocked_password_stops_before_any_attempt():
    set_at_can = G1_TRANSCRIPT[0][0].replace("83010184", "83010284")
    card = RecordedConnection([(set_at_can, "63C0")])
    with pytest.raises(PasswordBlockedError):
        perform_pace(card, CanKey("123456"), g1_info())
    card.assert_finished()


def test_a_chip_map_key_off_the_curve_is_refused():
    off_curve = PK_MAP_IC[:-1] + bytes([PK_MAP_IC[-1] ^ 1])
    transcript = [
        *G1_TRANSCRIPT[:2],
        (G1_TRANSCRIPT[2][0], "7C438241" + off_curve.hex() + "9000"),
    ]
    card = RecordedConnection(transcript)
    with pytest.raises(AccessControlError, match="curve"):
        perform_pace(card, MRZ_G, g1_info(), private_key=scripted_keys(SK_MAP_IFD, SK_DH_IFD))


# ------------------------------------------------------------- DH generic mapping (G.2)

DH_OID = "0.4.0.127.0.7.2.2.4.1.2"


def test_dh_generic_mapping_example():
    k_pi = password_key(MRZ_G, KeyKind.AES128)
    s = AES128.decrypt(k_pi, h("854D8DF5827FA6852D1A4FA701CDDDCA"))
    assert s == h("FA5B7E3E49753A0DB9178B7B9BD898C8")
    group = RFC5114_1024_160
    map_private = n("5265030F751F4AD18B08AC565FC7AC952E41618D")
    assert group.public(map_private) == h(
        "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3E"
        "B71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A4"
        "4D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022D"
        "CB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C"
    )
    chip_map = h(
        "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E6"
        "23EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882"
        "A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F24"
        "49400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6"
    )
    mapped = group.map_generic(int.from_bytes(s, "big"), map_private, chip_map)
    assert mapped.g == n(
        "7C9CBFE98F9FBDDA8D143506FA7D9306F4CB17E3C71707AFF5E1C1A123702496"
        "84D64EE37AF44B8DBD9D45BF6023919CBAA027AB97ACC771666C8E98FF483301"
        "BFA4872DEDE9034EDFACB70814166B7F360676829B826BEA57291B5AD69FBC84"
        "EF1E779032A305803F74341793E869742D401325B37EE8565FFCDEE618342DC5"
    )
    dh_private = n("89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA")
    chip_public = h(
        "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152B"
        "D8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC"
        "71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064"
        "386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1"
    )
    shared = mapped.agree(dh_private, chip_public)
    assert shared == h(
        "6BABC7B3A72BCD7EA385E4C62DB2625BD8613B24149E146A629311C4CA6698E3"
        "8B834B6A9E9CD7184BA8834AFF5043D436950C4C1E7832367C10CB8C314D40E5"
        "990B0DF7013E64B4549E2270923D06F08CFF6BD3E977DDE6ABE4C31D55C0FA2E"
        "465E553E77BDF75E3193D3834FC26E8EB1EE2FA1E4FC97C18C3F6CFFFE2607FD"
    )
    ks_mac = kdf(shared, COUNTER_MAC, KeyKind.AES128)
    assert kdf(shared, COUNTER_ENC, KeyKind.AES128) == h("2F7F46ADCC9E7E521B45D192FAFA9126")
    assert ks_mac == h("805A1D27D45A5116F73C54469462B7D8")
    t_ifd = authentication_token(AES128, ks_mac, DH_OID, mapped, chip_public)
    assert t_ifd == h("B46DD9BD4D98381F")
    t_ic = authentication_token(AES128, ks_mac, DH_OID, mapped, mapped.public(dh_private))
    assert t_ic == h("917F37B5C0E6D8D1")


# ------------------------------------------------------------- integrated mapping

IM_K_PI = h("591468CDA83D65219CCCB8560233600F")


def test_ecdh_integrated_mapping_example():
    s = AES128.decrypt(IM_K_PI, h("143DC40C08C8E891FBED7DEDB92B64AD"))
    assert s == h("2923BE84E16CD6AE529049F1F1BBE9EB")
    t = h("5DD4CBFC96F5453B130D890A1CDBAE32")
    group = standard_group(13)
    assert isinstance(group, EcGroup)
    r = pseudo_random(s, t, 256)
    assert r.to_bytes(64, "big") == h(
        "E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA"
        "8DA0FF397ED8C445D3E421E4FEB57322"
    ).rjust(64, b"\0")
    mapped = map_ec(group, s, t)
    assert mapped.generator_bytes() == h(
        "048E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D427"
        "4C1AE14BD0C3DBAC0C871B7F36081693 64437CA30AC243A089D3F266C1E60FAD"
    )
    private = n("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")
    own_public = mapped.public(private)
    assert own_public == h(
        "0489CBA23FFE96AA18D824627C3E934E54A9FD0B87A95D1471DC1C0ABFDCD640D4"
        "6755DE9B7B778280B6BEBD57439ADFEB0E21FD4ED6DF42578C13418A59B34C37"
    )
    chip_public = h(
        "0467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8"
        "932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D22753"
    )
    shared = mapped.agree(private, chip_public)
    assert shared == h("4F150FDE1D4F0E38E95017B891BAE17133A0DF45B0D3E18B60BA7BEAFDC2C713")
    ks_mac = kdf(shared, COUNTER_MAC, KeyKind.AES128)
    assert kdf(shared, COUNTER_ENC, KeyKind.AES128) == h("0D3FEB33251A6370893D62AE8DAAF51B")
    assert ks_mac == h("B01E89E3D9E8719E586B50B4A7506E0B")
    oid = "0.4.0.127.0.7.2.2.4.4.2"
    assert authentication_token(AES128, ks_mac, oid, mapped, chip_public) == h("450F02B86F6A0909")
    assert authentication_token(AES128, ks_mac, oid, mapped, own_public) == h("75D4D96E8D5B0308")


def test_dh_integrated_mapping_example():
    s = AES128.decrypt(IM_K_PI, h("9ABB8864CA0FF1551E620D1EF4E13510"))
    assert s == h("FA5B7E3E49753A0DB9178B7B9BD898C8")
    t = h("B3A6DB3C870C3E99245E0D1C06B747DE")
    mapped = map_dh(RFC5114_1024_160, s, t)
    assert isinstance(mapped, DhGroup)
    assert mapped.g == n(
        "1D7D767F11E333BCD6DBAEF40E799E7A926B96973550656FF3C830726D118D61"
        "C276CDCC61D475CF03A98E0C0E79CAEBA5BE25578BD4551D0B10903236F0B0F9"
        "76852FA78EEA14EA0ACA87D1E91F688FE0DFF897BBE35A472621D343564B262F"
        "34223AE8FC59B664BFEDFA2BFE7516CA5510A6BBB633D517EC25D4E0BBAA16C2"
    )
