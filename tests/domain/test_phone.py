"""Tests for desktop_helpdesk.domain.phone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain.phone import (
    AREA_CODES,
    MOBILE_PREFIXES,
    OLD_AREA_CODES,
    OLD_MOBILE_PREFIXES,
    PhoneError,
    format_phone,
    is_mobile,
    normalize_phone,
    phone_candidates,
)

# --------------------------------------------------------------------------
# Accepted forms
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "091 234 5678",
        "(091) 234 5678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "84 912 345 678",
        "+84 (0) 912 345 678",
        "+84 (0)912345678",
        "+840912345678",
        "0084 912345678",
        "0084 (0) 912 345 678",
        "  0912 345 678  ",
        "0912 345 678",  # non-breaking spaces
        "０９１２３４５６７８",  # fullwidth digits
        "0912–345–678",  # en dashes
        "912345678",  # trunk 0 left out
    ],
)
def test_mobile_forms(text):
    assert normalize_phone(text) == "+84912345678"


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("028 3974 3179", "+842839743179"),
        ("(028) 3974 3179", "+842839743179"),
        ("028.3974.3179", "+842839743179"),
        ("02839743179", "+842839743179"),
        ("+84 28 3974 3179", "+842839743179"),
        ("+84 (0) 28 3974 3179", "+842839743179"),
        ("0084 28 3974 3179", "+842839743179"),
        ("024 3825 1234", "+842438251234"),
        ("(024) 3825-1234", "+842438251234"),
        ("0236 3821 234", "+842363821234"),
        ("0203 3825 123", "+842033825123"),
        ("0299 3822 222", "+842993822222"),
        ("0210 3846 111", "+842103846111"),  # Phú Thọ: code kept in 2017
        ("2363821234", "+842363821234"),  # trunk 0 left out
    ],
)
def test_landline_forms(text, e164):
    assert normalize_phone(text) == e164


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("1900 1234", "+8419001234"),
        ("1900 123 456", "+841900123456"),
        ("1800 1088", "+8418001088"),
        ("1800.599.920", "+841800599920"),
        ("19001234", "+8419001234"),
        ("+84 1900 1234", "+8419001234"),
    ],
)
def test_service_numbers(text, e164):
    assert normalize_phone(text) == e164
    assert not is_mobile(e164)


# --------------------------------------------------------------------------
# Old numbering plans
# --------------------------------------------------------------------------

ALL_OLD_MOBILE = {
    # Viettel
    "0162": "032",
    "0163": "033",
    "0164": "034",
    "0165": "035",
    "0166": "036",
    "0167": "037",
    "0168": "038",
    "0169": "039",
    # MobiFone
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    # VinaPhone
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    # Vietnamobile
    "0186": "056",
    "0188": "058",
    # Gmobile
    "0199": "059",
}


@pytest.mark.parametrize(("old", "new"), sorted(ALL_OLD_MOBILE.items()))
def test_every_old_mobile_prefix(old, new):
    assert normalize_phone(f"{old} 123 4567") == f"+84{new[1:]}1234567"
    assert normalize_phone(f"+84 {old[1:]}1234567") == f"+84{new[1:]}1234567"
    assert phone_candidates(f"{old}1234567") == [f"+84{new[1:]}1234567"]
    assert is_mobile(normalize_phone(f"{old}1234567"))


def test_old_mobile_table_is_complete():
    assert {f"0{k}": f"0{v}" for k, v in OLD_MOBILE_PREFIXES.items()} == ALL_OLD_MOBILE
    assert set(OLD_MOBILE_PREFIXES.values()) <= MOBILE_PREFIXES


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("04 3825 1234", "+842438251234"),  # Hà Nội
        ("(04) 38251234", "+842438251234"),
        ("+84 4 3825 1234", "+842438251234"),
        ("0511 3821 234", "+842363821234"),  # Đà Nẵng
        ("(0511) 3.821.234", "+842363821234"),
        ("0510 3852 111", "+842353852111"),  # Quảng Nam
        ("054 3822 333", "+842343822333"),  # Thừa Thiên Huế (old 054 is not a mobile)
        ("031 3842 111", "+842253842111"),  # Hải Phòng
        ("0313842111", "+842253842111"),
        ("030 3871 234", "+842293871234"),  # Ninh Bình
        ("0320 3852 111", "+842203852111"),  # Hải Dương
        ("0321 3863 111", "+842213863111"),  # Hưng Yên
        ("0350 3649 111", "+842283649111"),  # Nam Định
        ("0351 3852 111", "+842263852111"),  # Hà Nam
        ("0240 3854 111", "+842043854111"),  # Bắc Giang
        ("0241 3821 111", "+842223821111"),  # Bắc Ninh
        ("0280 3855 111", "+842083855111"),  # Thái Nguyên
        ("0281 3870 111", "+842093870111"),  # Bắc Kạn
        ("0230 3825 111", "+842153825111"),  # Điện Biên
        ("0231 3876 111", "+842133876111"),  # Lai Châu
        ("020 3840 111", "+842143840111"),  # Lào Cai
        ("022 3852 111", "+842123852111"),  # Sơn La
        ("025 3870 111", "+842053870111"),  # Lạng Sơn
        ("026 3852 111", "+842063852111"),  # Cao Bằng
        ("027 3822 111", "+842073822111"),  # Tuyên Quang
        ("029 3852 111", "+842163852111"),  # Yên Bái
        ("053 3852 111", "+842333852111"),  # Quảng Trị
        ("057 3823 111", "+842573823111"),  # Phú Yên
        ("060 3862 111", "+842603862111"),  # Kon Tum
        ("061 3822 111", "+842513822111"),  # Đồng Nai
        ("062 3821 111", "+842523821111"),  # Bình Thuận
        ("063 3822 111", "+842633822111"),  # Lâm Đồng
        ("064 3852 111", "+842543852111"),  # Bà Rịa - Vũng Tàu
        ("0650 3822 111", "+842743822111"),  # Bình Dương
        ("0651 3879 111", "+842713879111"),  # Bình Phước
        ("066 3822 111", "+842763822111"),  # Tây Ninh
        ("067 3851 111", "+842773851111"),  # Đồng Tháp
        ("068 3822 111", "+842593822111"),  # Ninh Thuận
        ("072 3826 111", "+842723826111"),  # Long An
        ("073 3872 111", "+842733872111"),  # Tiền Giang
        ("074 3862 111", "+842943862111"),  # Trà Vinh
        ("075 3822 111", "+842753822111"),  # Bến Tre
        ("0710 3820 111", "+842923820111"),  # Cần Thơ
        ("0711 3876 111", "+842933876111"),  # Hậu Giang
        ("0780 3831 111", "+842903831111"),  # Cà Mau
        ("0781 3822 111", "+842913822111"),  # Bạc Liêu
        ("0500 3852 111", "+842623852111"),  # Đắk Lắk
        ("0501 3544 111", "+842613544111"),  # Đắk Nông
    ],
)
def test_old_area_codes(text, e164):
    assert normalize_phone(text) == e164


def test_old_area_code_table_covers_every_province():
    # 59 converted provinces + the 4 that kept their code (Phú Thọ, Vĩnh
    # Phúc, Hòa Bình, Hà Giang).
    assert len(OLD_AREA_CODES) >= 63
    assert len(set(OLD_AREA_CODES.values())) == 63  # one new code per province
    assert sum(1 for old, new in OLD_AREA_CODES.items() if old == new) == 4
    for old, new in OLD_AREA_CODES.items():
        assert new.startswith("2"), (old, new)
        assert len(new) == (2 if new in ("24", "28") else 3), (old, new)
    assert set(OLD_AREA_CODES.values()) == AREA_CODES


def test_old_area_codes_are_prefix_free():
    codes = list(OLD_AREA_CODES)
    for a in codes:
        for b in codes:
            if a != b:
                assert not b.startswith(a), (a, b)


@pytest.mark.parametrize(
    ("old", "new"),
    [("04", "024"), ("08", "028"), ("0511", "0236"), ("031", "0225"), ("0650", "0274")],
)
def test_issue_examples(old, new):
    subscriber = "38251234" if len(new) == 3 else "3825123"
    assert format_phone(normalize_phone(f"{old} {subscriber}")).replace(" ", "") == new + subscriber


# --------------------------------------------------------------------------
# Ambiguity: old landline vs today's mobile
# --------------------------------------------------------------------------

HCM_LANDLINE = "+842839743179"
VINA_MOBILE = "+84839743179"


@pytest.mark.parametrize(
    "text",
    [
        "08.3974 3179",
        "(08) 3974 3179",
        "08 3974 3179",
        "08-39743179",
        "+84 8 3974 3179",
        "+84 (8) 3974 3179",
        "+84 (0) 8 3974 3179",
    ],
)
def test_old_landline_grouping_puts_landline_first(text):
    assert phone_candidates(text) == [HCM_LANDLINE, VINA_MOBILE]
    assert normalize_phone(text) == HCM_LANDLINE


@pytest.mark.parametrize(
    "text", ["0839743179", "0839 743 179", "083 974 3179", "+84839743179", "839743179"]
)
def test_plain_or_mobile_grouping_puts_mobile_first(text):
    assert phone_candidates(text) == [VINA_MOBILE, HCM_LANDLINE]
    assert normalize_phone(text) == VINA_MOBILE


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("(033) 3825 123", "+842033825123"),  # brackets: Quảng Ninh landline
        ("033 3825123", "+842033825123"),  # landline grouping 3 + 7
        ("033.3825.123", "+842033825123"),  # landline grouping 3 + 4 + 3
        ("033 382 5123", "+84333825123"),  # mobile grouping 3 + 3 + 4
        ("0333 825 123", "+84333825123"),  # mobile grouping 4 + 3 + 3
        ("0333825123", "+84333825123"),  # no grouping: mobile
    ],
)
def test_three_digit_old_codes(text, first):
    candidates = phone_candidates(text)
    assert set(candidates) == {"+842033825123", "+84333825123"}
    assert candidates[0] == first


@pytest.mark.parametrize(
    ("old_code", "mobile_prefix"),
    [
        ("036", "36"),
        ("037", "37"),
        ("038", "38"),
        ("039", "39"),
        ("052", "52"),
        ("055", "55"),
        ("056", "56"),
        ("058", "58"),
        ("059", "59"),
        ("070", "70"),
        ("076", "76"),
        ("077", "77"),
        ("079", "79"),
    ],
)
def test_every_ambiguous_old_code_gives_both(old_code, mobile_prefix):
    new_code = OLD_AREA_CODES[old_code[1:]]
    candidates = phone_candidates(f"{old_code}3822111")
    assert candidates == [f"+84{mobile_prefix}3822111", f"+84{new_code}3822111"]
    assert phone_candidates(f"({old_code}) 3822 111") == candidates[::-1]


def test_unambiguous_numbers_have_one_candidate():
    assert phone_candidates("0912 345 678") == ["+84912345678"]
    assert phone_candidates("028 3974 3179") == ["+842839743179"]
    assert phone_candidates("04 3825 1234") == ["+842438251234"]  # no 04x mobiles
    assert phone_candidates("0511 3821 234") == ["+842363821234"]


def test_candidates_have_no_duplicates():
    # Phú Thọ's code did not change: the old and new readings coincide.
    assert phone_candidates("0210 3846 111") == ["+842103846111"]


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("--", "empty"),
        ("()", "empty"),
        ("abc", "bad_characters"),
        ("0912 345 67x", "bad_characters"),
        ("0912345678 ext 12", "bad_characters"),
        ("tel: 0912345678", "bad_characters"),
        ("0912+345678", "bad_characters"),
        ("++84912345678", "bad_characters"),
        ("+1 212 555 1234", "bad_country_code"),
        ("+33 1 23 45 67 89", "bad_country_code"),
        ("0033 123456789", "bad_country_code"),
        ("+", "empty"),
        ("+84", "too_short"),
        ("0", "too_short"),
        ("091234", "too_short"),
        ("09123456", "too_short"),  # 9 digits with the 0: one short
        ("0912 345 6789", "too_long"),  # 11 digits with the 0: one too many
        ("028 3974 317", "too_short"),
        ("028 3974 31790", "too_long"),
        ("0168 912 345", "too_short"),  # old mobile missing a digit
        ("0168 912 34567", "too_long"),
        ("1900 123", "too_short"),
        ("1900 1234567", "too_long"),
        ("0112345678", "unknown_prefix"),
        ("0123", "too_short"),
        ("0412345678", "unknown_prefix"),
        ("0691234567", "unknown_prefix"),
        ("0310345678", "unknown_prefix"),  # old 031, but subscriber starts with 0
        ("0203 0123 456", "unknown_prefix"),  # subscriber cannot start with 0
        ("12345678901234567890", "too_long"),
        ("0912345678 / 0987654321", "too_long"),
    ],
)
def test_errors(text, code):
    with pytest.raises(PhoneError) as excinfo:
        normalize_phone(text)
    assert excinfo.value.code == code
    message = str(excinfo.value)
    assert message and message[0].isupper() and message.isascii()
    with pytest.raises(PhoneError):
        phone_candidates(text)


def test_phone_error_is_value_error():
    assert issubclass(PhoneError, ValueError)
    with pytest.raises(ValueError):
        normalize_phone("xyz")


def test_phone_error_messages_for_every_code():
    for code, message in PhoneError.MESSAGES.items():
        error = PhoneError(code)
        assert error.code == code
        assert str(error) == message


def test_non_str_is_type_error():
    with pytest.raises(TypeError):
        normalize_phone(912345678)  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# format_phone / is_mobile
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("e164", "display"),
    [
        ("+84912345678", "0912 345 678"),
        ("+84389123456", "0389 123 456"),
        ("+842839743179", "028 3974 3179"),
        ("+842438251234", "024 3825 1234"),
        ("+842363821234", "0236 3821 234"),
        ("+8419001234", "1900 1234"),
        ("+841800599920", "1800 599920"),
    ],
)
def test_format_phone(e164, display):
    assert format_phone(e164) == display
    assert normalize_phone(display) == e164


@pytest.mark.parametrize(
    "bad",
    ["0912345678", "+8491234567", "+849123456789", "+84112345678", "+1 212", "", "+84 912 345 678"],
)
def test_format_phone_rejects_non_e164(bad):
    with pytest.raises(PhoneError) as excinfo:
        format_phone(bad)
    assert excinfo.value.code == "not_e164"


def test_is_mobile():
    assert is_mobile("+84912345678")
    assert is_mobile("+84869123456")
    assert not is_mobile("+842839743179")
    assert not is_mobile("+8419001234")
    assert not is_mobile("0912345678")
    assert not is_mobile("+8491234567")
    assert not is_mobile("")


@pytest.mark.parametrize("prefix", sorted(MOBILE_PREFIXES))
def test_every_mobile_prefix(prefix):
    e164 = normalize_phone(f"0{prefix}1234567")
    assert is_mobile(e164)
    assert format_phone(e164) == f"0{prefix}1 234 567"


def test_mobile_prefixes_from_issue():
    expected = (
        {f"3{d}" for d in "23456789"}
        | {"52", "55", "56", "58", "59", "70", "76", "77", "78", "79"}
        | {f"8{d}" for d in "123456789"}
        | {"90", "91", "92", "93", "94", "96", "97", "98", "99"}
    )
    assert expected <= MOBILE_PREFIXES


@pytest.mark.parametrize("code", sorted(AREA_CODES))
def test_every_area_code_round_trips(code):
    subscriber = "38251234" if len(code) == 2 else "3825123"
    e164 = normalize_phone(f"0{code}{subscriber}")
    assert e164 == f"+84{code}{subscriber}"
    assert not is_mobile(e164)
    assert normalize_phone(format_phone(e164)) == e164
    assert phone_candidates(format_phone(e164)) == [e164]


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

mobile_nsn = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(sorted(MOBILE_PREFIXES)),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
)
landline_nsn = st.sampled_from(sorted(AREA_CODES)).flatmap(
    lambda code: st.builds(
        lambda first, rest: code + first + rest,
        st.sampled_from("23456789"),
        st.text(alphabet="0123456789", min_size=9 - len(code), max_size=9 - len(code)),
    )
)
valid_e164 = st.one_of(mobile_nsn, landline_nsn).map(lambda nsn: "+84" + nsn)


@given(valid_e164)
def test_normalize_is_a_fixed_point_on_e164(e164):
    assert normalize_phone(e164) == e164
    assert normalize_phone(normalize_phone(e164)) == e164


@given(valid_e164)
def test_format_round_trips(e164):
    display = format_phone(e164)
    assert display.startswith("0")
    assert normalize_phone(display) == e164
    assert phone_candidates(display)[0] == e164


@given(valid_e164, st.sampled_from([" ", ".", "-", ""]))
def test_separators_do_not_matter_for_current_numbers(e164, sep):
    display = format_phone(e164).replace(" ", sep)
    assert normalize_phone(display) == e164
    assert normalize_phone("+84 " + display[1:]) == e164


@given(st.text(max_size=25))
def test_never_crashes(text):
    try:
        candidates = phone_candidates(text)
    except PhoneError as error:
        assert error.code in PhoneError.MESSAGES
    else:
        assert candidates
        assert len(candidates) == len(set(candidates))
        for candidate in candidates:
            assert candidate.startswith("+84")
            assert normalize_phone(candidate) == candidate
            format_phone(candidate)


@given(st.text(alphabet="0123456789 .-()+", max_size=20))
def test_outputs_are_canonical(text):
    try:
        candidates = phone_candidates(text)
    except PhoneError:
        return
    for candidate in candidates:
        assert normalize_phone(format_phone(candidate)) == candidate


# --------------------------------------------------------------------------
# The issue's forms, one by one, and every province's 2017 change written out
# by hand (not read from OLD_AREA_CODES, so a wrong table entry fails here)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("028 3974 3179", "+842839743179"),
        ("04 3826 1234", "+842438261234"),  # Hà Nội before 2017 -> 024
        ("0511 3826 123", "+842363826123"),  # Đà Nẵng before 2017 -> 0236
        ("0168 912 3456", "+84389123456"),  # Viettel before 2018 -> 038
    ],
)
def test_issue_forms(text, e164):
    assert normalize_phone(text) == e164
    assert phone_candidates(text)[0] == e164


#: Decision 2036/QĐ-BTTTT, province by province: old code -> new code (with the trunk 0).
PROVINCES_2017 = [
    # wave 1, 11 Feb 2017
    ("Sơn La", "022", "0212"), ("Lai Châu", "0231", "0213"), ("Lào Cai", "020", "0214"),
    ("Điện Biên", "0230", "0215"), ("Yên Bái", "029", "0216"), ("Quảng Bình", "052", "0232"),
    ("Quảng Trị", "053", "0233"), ("Thừa Thiên Huế", "054", "0234"), ("Quảng Nam", "0510", "0235"),
    ("Đà Nẵng", "0511", "0236"), ("Thanh Hóa", "037", "0237"), ("Nghệ An", "038", "0238"),
    ("Hà Tĩnh", "039", "0239"),
    # wave 2, 15 Apr 2017
    ("Quảng Ninh", "033", "0203"), ("Bắc Giang", "0240", "0204"), ("Lạng Sơn", "025", "0205"),
    ("Cao Bằng", "026", "0206"), ("Tuyên Quang", "027", "0207"), ("Thái Nguyên", "0280", "0208"),
    ("Bắc Kạn", "0281", "0209"), ("Hải Dương", "0320", "0220"), ("Hưng Yên", "0321", "0221"),
    ("Bắc Ninh", "0241", "0222"), ("Hải Phòng", "031", "0225"), ("Hà Nam", "0351", "0226"),
    ("Thái Bình", "036", "0227"), ("Nam Định", "0350", "0228"), ("Ninh Bình", "030", "0229"),
    ("Cà Mau", "0780", "0290"), ("Bạc Liêu", "0781", "0291"), ("Cần Thơ", "0710", "0292"),
    ("Hậu Giang", "0711", "0293"), ("Trà Vinh", "074", "0294"), ("An Giang", "076", "0296"),
    ("Kiên Giang", "077", "0297"), ("Sóc Trăng", "079", "0299"),
    # wave 3, 17 Jun 2017
    ("Hà Nội", "04", "024"), ("TP. Hồ Chí Minh", "08", "028"), ("Đồng Nai", "061", "0251"),
    ("Bình Thuận", "062", "0252"), ("Bà Rịa - Vũng Tàu", "064", "0254"), ("Quảng Ngãi", "055", "0255"),
    ("Bình Định", "056", "0256"), ("Phú Yên", "057", "0257"), ("Khánh Hòa", "058", "0258"),
    ("Ninh Thuận", "068", "0259"), ("Kon Tum", "060", "0260"), ("Đắk Nông", "0501", "0261"),
    ("Đắk Lắk", "0500", "0262"), ("Lâm Đồng", "063", "0263"), ("Gia Lai", "059", "0269"),
    ("Vĩnh Long", "070", "0270"), ("Bình Phước", "0651", "0271"), ("Long An", "072", "0272"),
    ("Tiền Giang", "073", "0273"), ("Bình Dương", "0650", "0274"), ("Bến Tre", "075", "0275"),
    ("Tây Ninh", "066", "0276"), ("Đồng Tháp", "067", "0277"),
]


def test_province_table_has_every_converted_province():
    assert len(PROVINCES_2017) == 59
    assert len({old for _p, old, _n in PROVINCES_2017}) == 59
    assert {f"0{new}" for new in AREA_CODES} - {new for _p, _o, new in PROVINCES_2017} == {
        "0210", "0211", "0218", "0219"}  # the four provinces that kept their code


@pytest.mark.parametrize(("province", "old", "new"), PROVINCES_2017, ids=[p for p, _o, _n in PROVINCES_2017])
def test_every_pre_2017_area_code(province, old, new):
    subscriber = "3826123" if len(new) == 4 else "38261234"
    today = f"+84{new[1:]}{subscriber}"
    # Written the way an old letterhead writes it: the code in brackets, the subscriber apart.
    assert phone_candidates(f"({old}) {subscriber}")[0] == today
    # Written any other way, today's landline is still among the readings the lookup tries.
    assert today in phone_candidates(f"{old}{subscriber}")
    assert today in phone_candidates(f"{old}.{subscriber[:4]}.{subscriber[4:]}")
    assert today in phone_candidates(f"+84 {old[1:]} {subscriber}")
    assert format_phone(today).replace(" ", "") == new + subscriber


def test_old_hcm_landline_reads_both_ways():
    # The issue's example: an old TP.HCM landline that is also today's VinaPhone mobile.
    assert phone_candidates("08.3974 3179") == ["+842839743179", "+84839743179"]
    assert normalize_phone("08.3974 3179") == "+842839743179"
    assert is_mobile(phone_candidates("08.3974 3179")[1])


@pytest.mark.parametrize("text", ["0912 345 67", "abc", "+1 212 555 1234", "0112345678", "0912 345 6789"])
def test_invalid_numbers_have_a_translated_message(text):
    """Every error the lookup can meet has a message in the Vietnamese catalog."""
    from babel.messages.pofile import read_po

    from desktop_helpdesk.domain.validation import PHONE_MESSAGES
    from desktop_helpdesk.paths import translations_dir

    with pytest.raises(ValueError) as excinfo:
        normalize_phone(text)
    message = PHONE_MESSAGES[excinfo.value.code]
    with open(translations_dir() / "vi" / "LC_MESSAGES" / "desktop_helpdesk.po", "rb") as f:
        catalog = read_po(f)
    translated = catalog[message].string
    assert translated and translated != message
