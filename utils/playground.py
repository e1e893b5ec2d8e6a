"""Lab 1's live playground: one function turns the chosen settings into a prompt and a summary;
ipywidgets controls call that same function when the button is pressed.

``playground_summary`` is plain Python (tested, and run once in the notebook as a printed
example); ``Playground`` only wires widgets to it, so nothing a learner sees depends on a live
widget frontend.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from transformers import GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase, set_seed

from utils.errors import LabsError
from utils.prompts import PROMPT_STYLES, PromptLength, in_context_prompt, prompt_length

STYLES = (*PROMPT_STYLES, "one-shot", "few-shot")
"""Prompt styles the playground offers, in the lab's order."""


@dataclass(frozen=True)
class PlaygroundResult:
    """What one press of the button produces."""

    style: str
    prompt: str
    length: PromptLength
    summary: str
    settings: str

    def __str__(self) -> str:
        return (
            f"[{self.style}] prompt: {self.length}\n"
            f"settings: {self.settings}\n"
            f"summary: {self.summary}"
        )


def build_prompt(style: str, dialogue: str, examples: Sequence[tuple[str, str]] = ()) -> str:
    """The prompt of ``style`` for ``dialogue``; one-shot uses the first example, few-shot all."""
    if style in PROMPT_STYLES:
        return PROMPT_STYLES[style](dialogue)
    if style in ("one-shot", "few-shot"):
        if not examples:
            raise LabsError(
                f"The {style} prompt needs at least one solved (dialogue, summary) "
                f"example; pass `examples=`."
            )
        shots = list(examples[:1]) if style == "one-shot" else list(examples)
        return in_context_prompt(shots, dialogue)
    raise LabsError(f"Unknown prompt style {style!r}; choose one of: {', '.join(STYLES)}.")


def generation_config(
    temperature: float, top_p: float = 1.0, top_k: int = 0, max_new_tokens: int = 50
) -> GenerationConfig:
    """Greedy decoding when ``temperature`` is 0, else sampling with the given filters.

    ``top_k=0`` and ``top_p=1.0`` switch those filters off, so temperature alone shapes the
    distribution (with tight filters a small model's few likely tokens survive at any
    temperature, and the temperature slider would seem to do nothing).
    """
    if temperature <= 0:
        return GenerationConfig(do_sample=False, max_new_tokens=max_new_tokens)
    # top_k=0 is passed, not left unset: unset, transformers would fill in its default of 50
    return GenerationConfig(
        do_sample=True,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        max_new_tokens=max_new_tokens,
    )


def _check_dialogue(dialogue: str) -> None:
    if not isinstance(dialogue, str):
        raise LabsError(
            f"The dialogue must be one string, got {type(dialogue).__name__}; pass "
            f"one dialogue, e.g. `test[0]['dialogue']` (for many, use `summarize`)."
        )
    if not dialogue.strip():
        raise LabsError(
            "The dialogue is empty, so there is nothing to summarize; pass a "
            "dialogue's text, e.g. `test[0]['dialogue']`."
        )


def _check_examples(examples: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(examples, str | bytes):
        raise LabsError(
            "`examples` must be a list of (dialogue, summary) pairs, got one "
            "string; e.g. `[(test[0]['dialogue'], test[0]['summary'])]`."
        )
    pairs = list(examples)
    for i, pair in enumerate(pairs):
        if (
            not isinstance(pair, tuple | list)
            or len(pair) != 2
            or not all(isinstance(t, str) and t.strip() for t in pair)
        ):
            raise LabsError(
                f"examples[{i}] must be a (dialogue, summary) pair of non-empty "
                f"strings, got {pair!r:.60}."
            )
    return [tuple(pair) for pair in pairs]


def describe_settings(
    temperature: float, top_p: float, top_k: int, max_new_tokens: int, seed: int
) -> str:
    """One line naming the decoding settings, saying which filters are off."""
    if temperature <= 0:
        text = "greedy"
    else:
        top_p_text = "top_p=1 (off)" if top_p >= 1 else f"top_p={top_p:g}"
        top_k_text = "top_k=0 (off)" if top_k <= 0 else f"top_k={top_k}"
        text = f"sampling, temperature={temperature:g}, {top_p_text}, {top_k_text}"
    return f"{text}, max_new_tokens={max_new_tokens}, seed={seed}"


@torch.inference_mode()
def playground_summary(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    dialogue: str,
    style: str,
    *,
    examples: Sequence[tuple[str, str]] = (),
    temperature: float = 0.0,
    top_p: float = 1.0,
    top_k: int = 0,
    max_new_tokens: int = 50,
    context_window: int = 512,
    seed: int = 42,
) -> PlaygroundResult:
    """Build the prompt, count its tokens against the window, and generate one summary.

    Seeded, so the same settings give the same summary (also when sampling); another
    ``seed`` draws another sample.
    """
    _check_dialogue(dialogue)
    prompt = build_prompt(style, dialogue, _check_examples(examples))
    length = prompt_length(tokenizer, prompt, context_window, warn=False)
    config = generation_config(temperature, top_p, top_k, max_new_tokens)
    inputs = tokenizer(prompt, return_tensors="pt", truncation=True, max_length=context_window).to(
        model.device
    )
    set_seed(seed)
    output = model.generate(**inputs, generation_config=config)
    summary = tokenizer.decode(output[0], skip_special_tokens=True).strip()
    settings = describe_settings(temperature, top_p, top_k, max_new_tokens, seed)
    return PlaygroundResult(style, prompt, length, summary, settings)


def dialogue_html(dialogue: str, title: str = "dialogue", open_up_to: int = 8) -> str:
    """``dialogue`` as HTML, one turn a line, in a ``<details>`` element headed by ``title`` and
    its number of turns: open when it has at most ``open_up_to`` turns, collapsed (a click opens
    it) when longer."""
    turns = dialogue.strip().splitlines()
    state = " open" if len(turns) <= open_up_to else ""
    heading = html.escape(f"{title} ({len(turns)} turns)")
    body = html.escape("\n".join(turns))
    return (
        f"<details{state}><summary>{heading}</summary>"
        f'<pre style="white-space: pre-wrap">{body}</pre></details>'
    )


CONTENT_NOTE = (
    "Note: generated text is not filtered. The tiny stand-in model learned from dialogues "
    "that include insults (lab 3 trains them away), so a sample may be rude or abusive."
)
"""Shown under the playground's controls."""


class Playground:
    """Widgets (dialogue, style, temperature, top-p, top-k, max new tokens, seed; "Summarize"
    and "New sample" buttons) that call ``playground_summary`` and print its result. Show it
    with ``display(playground.widget)``.

    Its own defaults switch top-k and top-p off so that the temperature slider visibly changes
    the samples; "New sample" moves to the next seed and summarizes again.
    """

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        dialogues: Sequence[str],
        examples: Sequence[tuple[str, str]] = (),
        *,
        temperature: float = 0.7,
        top_p: float = 1.0,
        top_k: int = 0,
        max_new_tokens: int = 50,
        context_window: int = 512,
        seed: int = 42,
    ) -> None:
        import ipywidgets as w  # imported here: the rest of the module works without it

        if isinstance(dialogues, str | bytes) or not list(dialogues):
            raise LabsError(
                "`dialogues` must be a non-empty list of dialogue strings, e.g. "
                "`list(test['dialogue'][:10])`."
            )
        self.model, self.tokenizer = model, tokenizer
        self.dialogues, self.examples = list(dialogues), _check_examples(examples)
        self.context_window = context_window
        self.last: PlaygroundResult | None = None
        style = {"description_width": "initial"}  # labels take the width they need
        wide = w.Layout(width="480px")
        self.dialogue = w.BoundedIntText(
            value=0, min=0, max=len(self.dialogues) - 1, description="dialogue #", style=style
        )
        self.style = w.Dropdown(
            options=STYLES, value="zero-shot", description="prompt style", style=style
        )
        self.temperature = w.FloatSlider(
            value=temperature,
            min=0.0,
            max=2.0,
            step=0.1,
            description="temperature (0 = greedy)",
            style=style,
            layout=wide,
        )
        self.top_p = w.FloatSlider(
            value=top_p,
            min=0.05,
            max=1.0,
            step=0.05,
            description="top_p (1 = off)",
            style=style,
            layout=wide,
        )
        self.top_k = w.IntSlider(
            value=top_k, min=0, max=200, description="top_k (0 = off)", style=style, layout=wide
        )
        self.max_new_tokens = w.IntSlider(
            value=max_new_tokens,
            min=1,
            max=200,
            description="max_new_tokens",
            style=style,
            layout=wide,
        )
        self.shown = w.HTML(self._dialogue_html())
        self.dialogue.observe(self._on_dialogue, names="value")
        self.seed = w.IntText(value=seed, description="seed", style=style)
        self.button = w.Button(description="Summarize", button_style="primary")
        self.new_sample = w.Button(
            description="New sample", tooltip="next seed, same settings: another sample"
        )
        self.note = w.HTML(f"<small>{CONTENT_NOTE}</small>")
        self.output = w.Output()
        self.button.on_click(self._on_click)
        self.new_sample.on_click(self._on_new_sample)
        self.widget = w.VBox(
            [
                self.dialogue,
                self.shown,
                self.style,
                self.temperature,
                self.top_p,
                self.top_k,
                self.max_new_tokens,
                self.seed,
                w.HBox([self.button, self.new_sample]),
                self.note,
                self.output,
            ]
        )

    def _dialogue_html(self) -> str:
        index = self.dialogue.value
        return dialogue_html(self.dialogues[index], f"dialogue #{index}, the one summarized")

    def _on_dialogue(self, _change) -> None:
        self.shown.value = self._dialogue_html()

    def run(self) -> PlaygroundResult:
        """What "Summarize" does: summarize with the widgets' current values."""
        self.last = playground_summary(
            self.model,
            self.tokenizer,
            self.dialogues[self.dialogue.value],
            self.style.value,
            examples=self.examples,
            temperature=self.temperature.value,
            top_p=self.top_p.value,
            top_k=self.top_k.value,
            max_new_tokens=self.max_new_tokens.value,
            context_window=self.context_window,
            seed=self.seed.value,
        )
        return self.last

    def next_sample(self) -> PlaygroundResult:
        """What "New sample" does: move to the next seed and summarize again."""
        self.seed.value += 1
        return self.run()

    def _show(self, make: Callable[[], PlaygroundResult]) -> None:
        self.output.clear_output()
        with self.output:
            try:
                print(make())
            except LabsError as exc:  # a widget callback's traceback would be hidden
                print(f"LabsError: {exc}")

    def _on_click(self, _button) -> None:
        self._show(self.run)

    def _on_new_sample(self, _button) -> None:
        self._show(self.next_sample)


WIDGETS_ENV_VAR = "LABS_WIDGETS"
"""Set to ``0`` to leave the playground out (a headless run, a static export)."""


def show_playground(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    dialogues: Sequence[str],
    examples: Sequence[tuple[str, str]] = (),
    *,
    start: int = 0,
    **settings,
) -> Playground | None:
    """Display a ``Playground`` on dialogue ``start`` (``settings``: its keyword arguments) and
    return it; or print why not (``LABS_WIDGETS=0``, or no ipywidgets) and return None."""
    if os.environ.get(WIDGETS_ENV_VAR) == "0":
        print(f"Playground off ({WIDGETS_ENV_VAR}=0); the printed example above stands for it.")
        return None
    try:
        import ipywidgets  # noqa: F401 - only to learn whether the widgets can be shown
    except ImportError:
        print(
            "Playground off: ipywidgets is not installed (`pip install ipywidgets`, then "
            "restart the kernel); the printed example above stands for it."
        )
        return None
    from IPython.display import display

    playground = Playground(model, tokenizer, dialogues, examples, **settings)
    playground.dialogue.value = start
    display(playground.widget)
    return playground
