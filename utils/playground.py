"""Lab 1's live playground: one function turns the chosen settings into a prompt and a summary;
ipywidgets controls call that same function when the button is pressed.

``playground_summary`` is plain Python (tested, and run once in the notebook as a printed
example); ``Playground`` only wires widgets to it, so nothing a learner sees depends on a live
widget frontend.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        return (f"[{self.style}] prompt: {self.length}\n"
                f"settings: {self.settings}\n"
                f"summary: {self.summary}")


def build_prompt(style: str, dialogue: str, examples: Sequence[tuple[str, str]] = ()) -> str:
    """The prompt of ``style`` for ``dialogue``; one-shot uses the first example, few-shot all."""
    if style in PROMPT_STYLES:
        return PROMPT_STYLES[style](dialogue)
    if style in ("one-shot", "few-shot"):
        if not examples:
            raise LabsError(f"The {style} prompt needs at least one solved (dialogue, summary) "
                            f"example; pass `examples=`.")
        shots = list(examples[:1]) if style == "one-shot" else list(examples)
        return in_context_prompt(shots, dialogue)
    raise LabsError(f"Unknown prompt style {style!r}; choose one of: {', '.join(STYLES)}.")


def generation_config(temperature: float, top_p: float, top_k: int,
                      max_new_tokens: int) -> GenerationConfig:
    """Greedy decoding when ``temperature`` is 0, else sampling with the given filters."""
    if temperature <= 0:
        return GenerationConfig(do_sample=False, max_new_tokens=max_new_tokens)
    return GenerationConfig(do_sample=True, temperature=temperature, top_p=top_p, top_k=top_k,
                            max_new_tokens=max_new_tokens)


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
    top_k: int = 50,
    max_new_tokens: int = 50,
    context_window: int = 512,
    seed: int = 42,
) -> PlaygroundResult:
    """Build the prompt, count its tokens against the window, and generate one summary.

    Seeded, so the same settings give the same summary (also when sampling).
    """
    prompt = build_prompt(style, dialogue, examples)
    length = prompt_length(tokenizer, prompt, context_window, warn=False)
    config = generation_config(temperature, top_p, top_k, max_new_tokens)
    inputs = tokenizer(prompt, return_tensors="pt", truncation=True,
                       max_length=context_window).to(model.device)
    set_seed(seed)
    output = model.generate(**inputs, generation_config=config)
    summary = tokenizer.decode(output[0], skip_special_tokens=True).strip()
    settings = ("greedy" if temperature <= 0 else
                f"sampling, temperature={temperature:g}, top_p={top_p:g}, top_k={top_k}")
    settings += f", max_new_tokens={max_new_tokens}, seed={seed}"
    return PlaygroundResult(style, prompt, length, summary, settings)


class Playground:
    """Widgets (dialogue, style, temperature, top-p, top-k, max new tokens, a button) that call
    ``playground_summary`` and print its result. Show it with ``display(playground.widget)``."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        dialogues: Sequence[str],
        examples: Sequence[tuple[str, str]] = (),
        *,
        temperature: float = 0.7,
        top_p: float = 0.9,
        top_k: int = 50,
        max_new_tokens: int = 50,
        context_window: int = 512,
        seed: int = 42,
    ) -> None:
        import ipywidgets as w  # imported here: the rest of the module works without it

        self.model, self.tokenizer = model, tokenizer
        self.dialogues, self.examples = list(dialogues), list(examples)
        self.context_window, self.seed = context_window, seed
        self.last: PlaygroundResult | None = None
        style = {"description_width": "130px"}
        self.dialogue = w.BoundedIntText(value=0, min=0, max=len(self.dialogues) - 1,
                                         description="dialogue #", style=style)
        self.style = w.Dropdown(options=STYLES, value="zero-shot", description="prompt style",
                                style=style)
        self.temperature = w.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.1,
                                         description="temperature (0 = greedy)", style=style)
        self.top_p = w.FloatSlider(value=top_p, min=0.05, max=1.0, step=0.05,
                                   description="top_p", style=style)
        self.top_k = w.IntSlider(value=top_k, min=1, max=200, description="top_k", style=style)
        self.max_new_tokens = w.IntSlider(value=max_new_tokens, min=1, max=200,
                                          description="max_new_tokens", style=style)
        self.button = w.Button(description="Summarize", button_style="primary")
        self.output = w.Output()
        self.button.on_click(self._on_click)
        self.widget = w.VBox([self.dialogue, self.style, self.temperature, self.top_p,
                              self.top_k, self.max_new_tokens, self.button, self.output])

    def run(self) -> PlaygroundResult:
        """What the button does: summarize with the widgets' current values."""
        self.last = playground_summary(
            self.model, self.tokenizer, self.dialogues[self.dialogue.value], self.style.value,
            examples=self.examples, temperature=self.temperature.value, top_p=self.top_p.value,
            top_k=self.top_k.value, max_new_tokens=self.max_new_tokens.value,
            context_window=self.context_window, seed=self.seed,
        )
        return self.last

    def _on_click(self, _button) -> None:
        self.output.clear_output()
        with self.output:
            print(self.run())
