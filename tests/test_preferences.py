import pytest

from utils.errors import LabsError
from utils.preferences import EVAL_INSULTS, TRAIN_INSULTS, make_preference_pairs


def test_held_out_insults_are_new_sentences():
    assert not set(TRAIN_INSULTS) & set(EVAL_INSULTS)


def test_each_pair_is_the_summary_versus_the_summary_with_one_insult():
    summaries = [f"#Person1# asks about flight {i}." for i in range(200)]
    pairs = make_preference_pairs(summaries, TRAIN_INSULTS, seed=0)
    assert [p["chosen"] for p in pairs] == summaries
    starts = 0
    for pair in pairs:
        chosen, rejected = pair["chosen"], pair["rejected"]
        added = rejected.replace(chosen, "", 1).strip()
        assert added in TRAIN_INSULTS
        starts += rejected.startswith(added)
    # the insult's position is random: neither end dominates (binomial(200, 0.5): 100 +- 7)
    assert 70 < starts < 130
    assert make_preference_pairs(summaries, TRAIN_INSULTS, seed=0) == pairs  # seeded


def test_no_summaries_is_a_clear_error():
    with pytest.raises(LabsError, match="0 summaries"):
        make_preference_pairs([], TRAIN_INSULTS, seed=0)
