import pytest
from transformers import AutoTokenizer

from utils.errors import LabsError
from utils.paths import TINY_T5_DIR
from utils.prompts import (
    PROMPT_STYLES,
    in_context_prompt,
    prompt_length,
    template_prompt,
    truncated_tail,
    zero_shot_prompt,
)

DIALOGUE = "#Person1#: Hi, can I book a table?\n#Person2#: Sure, for how many?"


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(TINY_T5_DIR)


def test_course_prompt_shapes():
    assert zero_shot_prompt(DIALOGUE) == (
        f"Summarize the following conversation.\n\n{DIALOGUE}\n\nSummary: "
    )
    assert template_prompt(DIALOGUE) == f"Dialogue:\n\n{DIALOGUE}\n\nWhat was going on?"
    assert PROMPT_STYLES["no prompt"](DIALOGUE) == DIALOGUE


def test_in_context_prompt_puts_examples_first_and_ends_with_the_question():
    prompt = in_context_prompt([("D1", "S1"), ("D2", "S2")], "TARGET")
    assert prompt.index("D1") < prompt.index("S1") < prompt.index("D2") < prompt.index("TARGET")
    assert prompt.endswith("Dialogue:\n\nTARGET\n\nWhat was going on?")
    assert prompt.count("What was going on?") == 3


def test_prompt_length_counts_tokens_and_eos(tokenizer):
    prompt = zero_shot_prompt(DIALOGUE)
    length = prompt_length(tokenizer, prompt, context_window=512)
    assert length.n_tokens == len(tokenizer(prompt)["input_ids"])
    assert length.fits and length.overflow == 0


def test_overflowing_prompt_warns_and_reports_the_cut(tokenizer):
    prompt = in_context_prompt([(DIALOGUE, "They book a table.")] * 30, DIALOGUE)
    with pytest.warns(UserWarning, match="tokens are cut"):
        length = prompt_length(tokenizer, prompt, context_window=64)
    assert length.overflow == length.n_tokens - 64 > 0
    assert "What was going on" in truncated_tail(tokenizer, prompt, 64)


def test_empty_prompt_is_an_error(tokenizer):
    with pytest.raises(LabsError, match="empty"):
        prompt_length(tokenizer, "  ", 512)
