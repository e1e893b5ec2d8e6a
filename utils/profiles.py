"""Profiles: every id, size and hyper-parameter that differs between `course` and `tiny`.

``LABS_PROFILE`` picks one: ``course`` (the course's real models and data, needs the
Hugging Face Hub or its cache), ``tiny`` (the offline stand-ins in ``assets/``) or
``auto`` (the default: ``course`` when the Hub answers or the course models are cached,
else ``tiny``). Nothing outside this file should branch on the profile's name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from utils.errors import LabsError
from utils.paths import DIALOGSUM_DIR, TINY_CLASSIFIER_DIR, TINY_T5_DIR
from utils.ppo_config import PPOConfig

PROFILE_ENV_VAR = "LABS_PROFILE"
VALID_CHOICES = ("course", "tiny", "auto")


@dataclass(frozen=True)
class Profile:
    """One lab setting. Fields are grouped by the lab that reads them."""

    name: str
    """``course`` or ``tiny``."""
    reason: str = ""
    """Why this profile was chosen (filled in by ``get_profile``)."""

    # ---- models and data: Hub ids (course) or local folders (tiny) ----
    model_id: str = "google/flan-t5-base"
    """Instruction-tuned seq2seq model every lab starts from."""
    dataset_id: str = "knkarthick/dialogsum"
    """DialogSum on the Hub, or the folder holding train/validation/test JSON Lines."""
    toxicity_model_id: str = "facebook/roberta-hate-speech-dynabench-r4-target"
    """Reward model / toxicity judge (labels nothate, hate)."""
    toxic_label: str = "hate"
    """Label whose probability is the toxicity score."""
    nontoxic_label: str = "nothate"
    """Label whose logit is PPO's reward."""
    context_window: int = 512
    """Tokens the encoder reads; longer prompts are cut (FLAN-T5: 512)."""
    seed: int = 42
    """One seed for every lab."""
    cpu_threads: int = 0
    """Torch threads on a CPU (0 = torch's default). Float sums depend on the thread count,
    so a fixed count makes results repeat on any machine; a tiny model's ops are too small
    to gain from splitting across cores."""

    # ---- lab 1: prompting ----
    example_indices: tuple[int, ...] = (40, 200)
    """Test dialogues shown with their human summaries (course: 40 and 200)."""
    one_shot_indices: tuple[int, ...] = (40,)
    """Test dialogues used as the one-shot example (course: 40)."""
    few_shot_indices: tuple[int, ...] = (40, 80, 120)
    """Test dialogues used as few-shot examples (course: 40, 80, 120)."""
    dialogue_to_summarize: int = 200
    """Test dialogue the in-context prompts end with (course: 200)."""
    max_new_tokens: int = 50
    """Summary length cap for generation (course: 50)."""
    gen_batch_size: int = 16
    """Dialogues per generate() call in batched evaluation."""
    n_eval_dialogues: int = 200
    """Test dialogues scored with ROUGE in labs 1 and 2."""
    temperatures: tuple[float, ...] = (0.1, 0.5, 1.0, 2.0)
    """Sampling temperatures compared in lab 1."""
    samples_per_setting: int = 5
    """Samples drawn per generation setting in lab 1."""
    sampling_top_k: int = 50
    """Lab 1's top-k setting: sample only among the k likeliest next tokens (1 = greedy)."""
    sampling_top_p: float = 0.9
    """Lab 1's top-p (nucleus) setting: sample among the likeliest tokens holding this mass."""
    short_max_new_tokens: int = 10
    """A deliberately small max_new_tokens, to show summaries cut mid-sentence in lab 1."""
    playground_temperature: float = 0.7
    """Lab 1 playground's starting temperature (top-k/top-p start at the two values above)."""
    min_distinct2_gain: float = 0.2
    """Lab 1 lesson check: distinct-2 at the highest temperature exceeds greedy's by this."""

    # ---- lab 2: fine-tuning ----
    train_every_nth: int = 1
    """Keep every n-th row of train/validation (1 = all). The course's notebook kept every
    100th, trained one step and then loaded checkpoints trained on all rows; lab 2 trains for
    real, and 125 rows at the course's learning rate would not beat the base model."""
    train_batch_size: int = 8
    """Examples per optimizer step."""
    full_ft_learning_rate: float = 1e-5
    """Learning rate of full fine-tuning (course: 1e-5)."""
    full_ft_epochs: float = 1.0
    """Epochs of full fine-tuning."""
    lora_r: int = 32
    """LoRA rank (course: 32)."""
    lora_alpha: int = 32
    """LoRA scaling numerator (course: 32)."""
    lora_dropout: float = 0.05
    """Dropout on the LoRA branch (course: 0.05)."""
    lora_target_modules: tuple[str, ...] = ("q", "v")
    """Attention projections LoRA adapts (course: q and v)."""
    lora_learning_rate: float = 1e-3
    """Learning rate of LoRA training (course: 1e-3)."""
    lora_epochs: float = 1.0
    """Epochs of LoRA training."""
    max_target_tokens: int = 128
    """Summary tokens kept as training labels; longer summaries are cut."""
    logging_steps: int = 5
    """Optimizer steps between two logged losses (points of the loss curve)."""
    lab2_min_rouge1_gain: float = 0.0
    """Lab 2's assertion: full and LoRA must beat the base model's ROUGE-1 by more than this."""
    lab2_max_adapter_share: float = 0.1
    """Lab 2's assertion: the LoRA adapter is at most this share of the full checkpoint on disk."""
    lab2_max_lora_share: float = 0.05
    """Lab 2's assertion: LoRA trains at most this fraction of the parameters (course: 1.4%)."""

    # ---- lab 3: RLHF ----
    min_dialogue_chars: int = 200
    """Shortest dialogue kept for PPO (course: 200)."""
    max_dialogue_chars: int = 1000
    """Longest dialogue kept for PPO (course: 1000)."""
    n_toxicity_eval: int = 100
    """Held-out dialogues whose summaries are scored before and after PPO."""
    ppo: PPOConfig = field(default_factory=PPOConfig)
    """PPO hyper-parameters (course values by default)."""
    rm_train_pairs: int = 400
    """Preference pairs (clean vs abuse-injected summary) RewardTrainer learns from."""
    rm_eval_pairs: int = 100
    """Held-out preference pairs for the reward model's pairwise accuracy."""
    rm_epochs: float = 1.0
    """Epochs of reward-model training."""
    rm_learning_rate: float = 1e-5
    """Learning rate of reward-model training."""
    lab3_min_toxicity_drop: float | None = None
    """Lab 3's assertion: mean toxicity falls by at least this fraction after PPO, with a CI
    below zero. None (course) checks nothing: the course's 10 steps at lr 1.41e-5 give no
    reliable effect (a rerun of its notebook flipped the sign)."""
    lab3_max_rouge1_drop: float = 0.05
    """Lab 3's assertion: ROUGE-1 falls by at most this (absolute) after PPO."""
    lab3_min_rm_accuracy: float = 0.9
    """Lab 3's assertion: the learned reward model's pairwise accuracy on held-out pairs."""
    ppo_lora_r: int = 32
    """LoRA rank of the PPO policy (course: 32)."""
    ppo_lora_alpha: int = 32
    """LoRA alpha of the PPO policy (course: 32); its own field, so lab 2's tuning can't move it."""


COURSE = Profile(name="course")

TINY = Profile(
    name="tiny",
    model_id=str(TINY_T5_DIR),
    dataset_id=str(DIALOGSUM_DIR),
    toxicity_model_id=str(TINY_CLASSIFIER_DIR),
    cpu_threads=1,
    # lab 1: non-abusive test dialogues; the few-shot shots are long so that, as in the
    # course, the few-shot prompt overflows the 512-token window
    example_indices=(45, 200),
    one_shot_indices=(45,),
    few_shot_indices=(45, 36, 51),
    # the stand-in's distribution is peaked: at top_k=50 / top_p=0.9 both filters keep the
    # same head and draw the same samples; tighter ones show the difference
    sampling_top_k=10,
    sampling_top_p=0.5,
    short_max_new_tokens=5,  # its summaries are ~10 tokens (FLAN-T5's ~20)
    n_eval_dialogues=100,
    gen_batch_size=32,
    # lab 2
    train_batch_size=8,  # 300 steps over the 2,400 rows: ~1 min per method on 1 CPU thread
    full_ft_learning_rate=1e-3,
    full_ft_epochs=1.0,
    lora_learning_rate=2e-3,
    lora_epochs=1.0,
    # tiny-only: r=32 on d_model=128 would train 6.2% of the weights (FLAN-T5-base: 1.4%);
    # r=16 keeps LoRA's point, a few percent of the parameters. alpha=64 (update scale
    # alpha/r = 4, the course's is 1) lets the adapter catch up within one short epoch
    # (measured: ROUGE-1 +0.13 vs +0.09 with alpha=32).
    lora_r=16,
    lora_alpha=64,
    max_target_tokens=64,
    logging_steps=5,
    lab2_min_rouge1_gain=0.10,
    # lab 3
    # the stand-in's LoRA moves slowly at the course's 1.41e-5: a larger step, larger batches
    # for a less noisy reward, clipped gradients, a firmer KL leash; responses of 16-31
    # tokens so the insult (the gist's last clause) is usually inside the sample
    ppo=PPOConfig(
        learning_rate=2e-3,
        batch_size=32,
        mini_batch_size=8,
        ppo_epochs=2,
        max_ppo_steps=20,
        max_grad_norm=1.0,
        init_kl_coef=0.4,
        output_min_length=16,
        output_max_length=32,
    ),
    ppo_lora_r=16,  # as lab 2's: r=32 would train 6% of this small model
    ppo_lora_alpha=32,
    lab3_min_toxicity_drop=0.4,
)

PROFILES = {"course": COURSE, "tiny": TINY}


def _course_models_cached() -> bool:
    """True when the course's model and data set are already in the local Hugging Face cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub ships with transformers
        return False
    found = try_to_load_from_cache(COURSE.model_id, "config.json")
    return isinstance(found, str)


def _hub_answers(timeout_s: float = 3.0) -> bool:
    """True when huggingface.co answers an HTTPS request within ``timeout_s`` seconds."""
    import urllib.request

    url = "https://huggingface.co/api/models/" + COURSE.model_id
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200
    except Exception:
        return False


def _hub_offline_by_env() -> bool:
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes") for v in ("HF_HUB_OFFLINE",))


def resolve_auto() -> tuple[str, str]:
    """Pick ``course`` or ``tiny`` for ``auto``; returns (name, reason)."""
    if _course_models_cached():
        return "course", f"{COURSE.model_id} is in the local Hugging Face cache"
    if _hub_offline_by_env():
        return "tiny", "HF_HUB_OFFLINE is set, so the Hub is not asked"
    if _hub_answers():
        return "course", "the Hugging Face Hub answered"
    return "tiny", "the Hugging Face Hub did not answer within 3 s and nothing is cached"


def get_profile(name: str | None = None, verbose: bool = True) -> Profile:
    """Return the profile named ``name`` (default: ``$LABS_PROFILE``, else ``auto``).

    With ``verbose`` it prints one line: which profile runs and why.
    """
    chosen = (name or os.environ.get(PROFILE_ENV_VAR) or "auto").strip().lower()
    if chosen not in VALID_CHOICES:
        raise LabsError(
            f"Unknown profile {chosen!r} (from {PROFILE_ENV_VAR} or the argument). "
            f"Valid profiles are: {', '.join(VALID_CHOICES)}. "
            f"For example: `export {PROFILE_ENV_VAR}=tiny` for the offline stand-ins, "
            f"or `{PROFILE_ENV_VAR}=course` for FLAN-T5 and DialogSum from the Hub."
        )
    if chosen == "auto":
        resolved, why = resolve_auto()
        why = f"auto: {why}"
    else:
        resolved, why = chosen, f"set by {PROFILE_ENV_VAR}={chosen}" if not name else "requested"
    profile = replace(PROFILES[resolved], reason=why)
    if verbose:
        tag = "offline stand-ins, not FLAN-T5" if resolved == "tiny" else "the course's models"
        print(f"Profile: {resolved} ({tag}); {why}.")
    return profile
