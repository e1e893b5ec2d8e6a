import pytest
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from utils.errors import LabsError
from utils.generation import summarize
from utils.paths import TINY_T5_DIR
from utils.playground import (
    STYLES,
    Playground,
    build_prompt,
    generation_config,
    playground_summary,
)
from utils.prompts import in_context_prompt, no_prompt, prompt_length, zero_shot_prompt


@pytest.fixture(scope="module")
def model_and_tokenizer():
    return (AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR),
            AutoTokenizer.from_pretrained(TINY_T5_DIR))


@pytest.fixture(scope="module")
def rows(tiny_profile):
    from utils.data import load_dialogsum

    test = load_dialogsum(tiny_profile)["test"]
    return [(test[i]["dialogue"], test[i]["summary"]) for i in range(4)]


def test_build_prompt_matches_the_prompt_builders(rows):
    examples, (dialogue, _) = rows[:3], rows[3]
    assert build_prompt("no prompt", dialogue) == no_prompt(dialogue)
    assert build_prompt("zero-shot", dialogue) == zero_shot_prompt(dialogue)
    assert build_prompt("one-shot", dialogue, examples) == in_context_prompt(examples[:1], dialogue)
    assert build_prompt("few-shot", dialogue, examples) == in_context_prompt(examples, dialogue)
    assert STYLES == ("no prompt", "zero-shot", "template", "one-shot", "few-shot")


def test_build_prompt_refuses_unknown_style_and_missing_examples(rows):
    with pytest.raises(LabsError, match="Unknown prompt style"):
        build_prompt("two-shot", rows[0][0])
    with pytest.raises(LabsError, match="needs at least one solved"):
        build_prompt("few-shot", rows[0][0])


def test_temperature_zero_means_greedy():
    greedy = generation_config(0.0, top_p=0.9, top_k=50, max_new_tokens=12)
    assert greedy.do_sample is False and greedy.max_new_tokens == 12
    sampled = generation_config(1.5, top_p=0.8, top_k=20, max_new_tokens=12)
    assert (sampled.do_sample, sampled.temperature, sampled.top_p, sampled.top_k) == (
        True, 1.5, 0.8, 20)


def test_greedy_playground_equals_batched_summarize(model_and_tokenizer, rows):
    model, tokenizer = model_and_tokenizer
    dialogue = rows[0][0]
    result = playground_summary(model, tokenizer, dialogue, "zero-shot", max_new_tokens=30)
    expected = summarize(model, tokenizer, [zero_shot_prompt(dialogue)],
                         generation_config(0, 1.0, 50, 30), progress=False)[0]
    assert result.summary == expected
    assert result.length == prompt_length(tokenizer, zero_shot_prompt(dialogue), 512, warn=False)
    assert "greedy" in result.settings and str(result.length) in str(result)


def test_seeded_sampling_repeats(model_and_tokenizer, rows):
    model, tokenizer = model_and_tokenizer
    kwargs = dict(temperature=1.5, top_p=1.0, top_k=0, max_new_tokens=20, seed=7)
    first = playground_summary(model, tokenizer, rows[1][0], "template", **kwargs)
    again = playground_summary(model, tokenizer, rows[1][0], "template", **kwargs)
    assert first.summary == again.summary and first.summary


def test_overflowing_prompt_is_reported_and_still_summarized(model_and_tokenizer, rows):
    model, tokenizer = model_and_tokenizer
    result = playground_summary(model, tokenizer, rows[3][0], "few-shot", examples=rows[:3],
                                context_window=64, max_new_tokens=10)
    assert not result.length.fits and result.length.overflow == result.length.n_tokens - 64
    assert result.summary


def test_button_runs_the_same_function(model_and_tokenizer, rows, capsys):
    pytest.importorskip("ipywidgets")
    model, tokenizer = model_and_tokenizer
    dialogues = [d for d, _ in rows]
    playground = Playground(model, tokenizer, dialogues, rows[:2], temperature=0.0,
                            max_new_tokens=25)
    playground.dialogue.value = 2
    playground.style.value = "one-shot"
    playground.button.click()
    expected = playground_summary(model, tokenizer, dialogues[2], "one-shot", examples=rows[:2],
                                  temperature=0.0, max_new_tokens=25)
    assert playground.last == expected
    assert expected.summary in capsys.readouterr().out
