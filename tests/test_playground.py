import pytest
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from utils.errors import LabsError
from utils.generation import summarize
from utils.paths import TINY_T5_DIR
from utils.playground import (
    CONTENT_NOTE,
    STYLES,
    Playground,
    build_prompt,
    dialogue_html,
    generation_config,
    playground_summary,
    show_playground,
)
from utils.prompts import in_context_prompt, no_prompt, prompt_length, zero_shot_prompt


@pytest.fixture(scope="module")
def model_and_tokenizer():
    return (
        AutoModelForSeq2SeqLM.from_pretrained(TINY_T5_DIR),
        AutoTokenizer.from_pretrained(TINY_T5_DIR),
    )


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
        True,
        1.5,
        0.8,
        20,
    )
    unfiltered = generation_config(1.0)  # the defaults switch both filters off
    assert (unfiltered.top_p, unfiltered.top_k) == (1.0, 0)


def test_greedy_playground_equals_batched_summarize(model_and_tokenizer, rows):
    model, tokenizer = model_and_tokenizer
    dialogue = rows[0][0]
    result = playground_summary(model, tokenizer, dialogue, "zero-shot", max_new_tokens=30)
    expected = summarize(
        model,
        tokenizer,
        [zero_shot_prompt(dialogue)],
        generation_config(0, 1.0, 50, 30),
        progress=False,
    )[0]
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
    result = playground_summary(
        model,
        tokenizer,
        rows[3][0],
        "few-shot",
        examples=rows[:3],
        context_window=64,
        max_new_tokens=10,
    )
    assert not result.length.fits and result.length.overflow == result.length.n_tokens - 64
    assert result.summary


def test_button_runs_the_same_function(model_and_tokenizer, rows, capsys):
    pytest.importorskip("ipywidgets")
    model, tokenizer = model_and_tokenizer
    dialogues = [d for d, _ in rows]
    playground = Playground(
        model, tokenizer, dialogues, rows[:2], temperature=0.0, max_new_tokens=25
    )
    playground.dialogue.value = 2
    playground.style.value = "one-shot"
    playground.button.click()
    expected = playground_summary(
        model,
        tokenizer,
        dialogues[2],
        "one-shot",
        examples=rows[:2],
        temperature=0.0,
        max_new_tokens=25,
    )
    assert playground.last == expected
    assert expected.summary in capsys.readouterr().out


def test_temperature_changes_samples_on_the_default_settings(model_and_tokenizer, rows):
    """With the playground's own defaults (top-k and top-p off), a higher temperature gives
    samples further from greedy: over the same seeds, more of them differ from it."""
    model, tokenizer = model_and_tokenizer
    dialogue = rows[0][0]
    greedy = playground_summary(model, tokenizer, dialogue, "zero-shot").summary

    def differing(temperature: float) -> int:
        return sum(
            playground_summary(
                model, tokenizer, dialogue, "zero-shot", temperature=temperature, seed=seed
            ).summary
            != greedy
            for seed in range(6)
        )

    low, high = differing(0.1), differing(1.5)
    assert high >= 4 and high > low, (low, high)


def test_new_sample_moves_to_the_next_seed(model_and_tokenizer, rows):
    pytest.importorskip("ipywidgets")
    model, tokenizer = model_and_tokenizer
    playground = Playground(model, tokenizer, [d for d, _ in rows], temperature=1.5, seed=3)
    assert (playground.top_k.value, playground.top_p.value) == (0, 1.0)  # filters off
    samples = [playground.run().summary]
    for _ in range(4):
        samples.append(playground.next_sample().summary)
    assert playground.seed.value == 7 and "seed=7" in playground.last.settings
    assert len(set(samples)) >= 3  # re-clicking shows other samples
    expected = playground_summary(
        model, tokenizer, rows[0][0], "zero-shot", temperature=1.5, seed=7
    )
    assert samples[-1] == expected.summary


def test_widget_labels_fit_and_note_is_shown(model_and_tokenizer, rows):
    pytest.importorskip("ipywidgets")
    model, tokenizer = model_and_tokenizer
    playground = Playground(model, tokenizer, [d for d, _ in rows])
    assert playground.temperature.style.description_width == "initial"
    assert "abusive" in CONTENT_NOTE and CONTENT_NOTE in playground.note.value
    assert playground.note in playground.widget.children


def test_bad_dialogues_and_examples_are_refused(model_and_tokenizer, rows):
    model, tokenizer = model_and_tokenizer
    with pytest.raises(LabsError, match="dialogue is empty"):
        playground_summary(model, tokenizer, "   ", "zero-shot")
    with pytest.raises(LabsError, match="must be one string, got list"):
        playground_summary(model, tokenizer, [rows[0][0]], "zero-shot")
    with pytest.raises(LabsError, match="got one string"):
        playground_summary(model, tokenizer, rows[0][0], "few-shot", examples="a dialogue")
    with pytest.raises(LabsError, match=r"examples\[1\] must be a \(dialogue, summary\) pair"):
        playground_summary(
            model, tokenizer, rows[0][0], "few-shot", examples=[rows[1], (rows[2][0], "")]
        )


def test_playground_refuses_a_bare_string_of_dialogues(model_and_tokenizer, capsys):
    pytest.importorskip("ipywidgets")
    model, tokenizer = model_and_tokenizer
    with pytest.raises(LabsError, match="non-empty list of dialogue strings"):
        Playground(model, tokenizer, "#Person1#: Hi.")
    playground = Playground(model, tokenizer, ["#Person1#: Hi.", "   "])
    playground.dialogue.value = 1
    playground.button.click()  # shown in the output area, not lost in a callback traceback
    assert "LabsError: The dialogue is empty" in capsys.readouterr().out


def test_dialogue_html_escapes_and_collapses_long_dialogues():
    short = "#Person1#: Is 3 < 4?\n#Person2#: Yes & no."
    shown = dialogue_html(short, "dialogue #7")
    assert shown.startswith("<details open><summary>dialogue #7 (2 turns)</summary>")
    assert "#Person1#: Is 3 &lt; 4?\n#Person2#: Yes &amp; no.</pre>" in shown
    long = "\n".join(f"#Person{1 + i % 2}#: line {i}" for i in range(9))
    collapsed = dialogue_html(long, open_up_to=8)
    assert collapsed.startswith("<details><summary>dialogue (9 turns)</summary>")
    assert "line 8</pre></details>" in collapsed
    assert dialogue_html(long, open_up_to=9).startswith("<details open>")


def test_the_playground_shows_the_dialogue_it_summarizes(model_and_tokenizer, rows):
    pytest.importorskip("ipywidgets")
    model, tokenizer = model_and_tokenizer
    dialogues = [d for d, _ in rows]
    playground = Playground(model, tokenizer, dialogues)
    assert playground.shown in playground.widget.children
    assert playground.shown.value == dialogue_html(dialogues[0], "dialogue #0, the one summarized")
    playground.dialogue.value = 2  # choosing another dialogue shows that one
    assert playground.shown.value == dialogue_html(dialogues[2], "dialogue #2, the one summarized")
    assert playground.run().prompt.endswith(dialogues[2] + "\n\nSummary: ")


def test_show_playground_starts_on_the_chosen_dialogue_or_says_why_not(
    model_and_tokenizer, rows, monkeypatch, capsys
):
    model, tokenizer = model_and_tokenizer
    dialogues = [d for d, _ in rows]
    monkeypatch.setenv("LABS_WIDGETS", "0")
    assert show_playground(model, tokenizer, dialogues, start=1) is None
    assert "Playground off (LABS_WIDGETS=0)" in capsys.readouterr().out
    monkeypatch.delenv("LABS_WIDGETS")
    monkeypatch.setitem(__import__("sys").modules, "ipywidgets", None)  # as if not installed
    assert show_playground(model, tokenizer, dialogues, start=1) is None
    assert "ipywidgets is not installed" in capsys.readouterr().out
    monkeypatch.undo()
    pytest.importorskip("ipywidgets")
    monkeypatch.delenv("LABS_WIDGETS", raising=False)
    playground = show_playground(model, tokenizer, dialogues, rows[:1], start=3, temperature=0.0)
    assert playground.dialogue.value == 3 and playground.temperature.value == 0.0
    assert "dialogue #3" in playground.shown.value
