from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import referrals

KEY = b"k" * 32


def test_codes_are_stable_personal_and_differ_across_films_and_people():
    code = referrals.link_code(KEY, "flm_1", "alice")
    assert code == referrals.link_code(KEY, "flm_1", "alice") and len(code) == referrals.CODE_LENGTH
    assert len({code, referrals.link_code(KEY, "flm_2", "alice"), referrals.link_code(KEY, "flm_1", "bob"),
                referrals.link_code(b"other", "flm_1", "alice")}) == 4
    assert "alice" not in code and code.isalnum()


def test_a_tag_name_is_one_code_whatever_its_case_and_blanks():
    assert referrals.tag_code(KEY, "f", "News  letter ") == referrals.tag_code(KEY, "f", "news letter")
    assert referrals.tag_code(KEY, "f", "news") != referrals.tag_code(KEY, "g", "news")


def test_share_url_is_built_from_the_web_client_base():
    assert referrals.share_url("https://coprod.example.org/", "flm_1", "rabc") == \
        "https://coprod.example.org/#/films/flm_1?ref=rabc"


def test_only_a_confirmed_unrefunded_undisputed_pledge_of_someone_else_counts():
    assert referrals.counts("confirmed", 0, False)
    assert not referrals.counts("confirmed", 1, False)
    assert not referrals.counts("confirmed", 0, True)
    assert not referrals.counts("pending", 0, False) and not referrals.counts("refunded", 2_000, False)
    assert referrals.attributable("alice", "bob") and not referrals.attributable("alice", "alice")
    assert not referrals.attributable(None, "bob")


def test_lines_group_pledges_and_people_and_the_rest_is_unattributed():
    lines = referrals.by_code([referrals.Attributed("a", "bob", 1_000), referrals.Attributed("a", "bob", 500),
                               referrals.Attributed("a", "carl", 700), referrals.Attributed("t", "dan", 300)])
    assert (lines["a"].pledges, lines["a"].amount_cents, len(lines["a"].coproducers)) == (3, 2_200, 2)
    rest = referrals.unattributed(10_000, 7, lines.values())
    assert (rest.pledges, rest.amount_cents) == (3, 7_500)
    assert referrals.share_bps(2_200, 10_000) == 2_200 and referrals.share_bps(1, 3) == 3_333
    assert referrals.share_bps(5, 0) == 0


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=30))
def test_shares_never_exceed_the_whole_and_lose_less_than_a_point_each(amounts):
    total = sum(amounts)
    shares = [referrals.share_bps(a, total) for a in amounts]
    assert all(isinstance(s, int) for s in shares)
    assert referrals.BPS - len(amounts) < sum(shares) <= referrals.BPS
