"""Profiles: every id, size and hyper-parameter that differs between `course` and `tiny`.

``LABS_PROFILE`` picks one: ``course`` (the course's real models and data, needs the
Hugging Face Hub or its cache), ``tiny`` (the offline stand-ins in ``assets/``) or
``auto`` (the default: ``course`` with a GPU and the Hub or every course part cached, else
``tiny``; see ``utils/hub.py``). Nothing outside this file should branch on the profile's name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from utils.errors import LabsError
from utils.paths import DIALOGSUM_DIR, OUTPUTS_DIR, TINY_CLASSIFIER_DIR, TINY_T5_DIR
from utils.ppo_config import PPOConfig

PROFILE_ENV_VAR = "LABS_PROFILE"
VALID_CHOICES = ("course", "tiny", "auto")
SCALE_ENV_VAR = "LABS_SCALE"
VALID_SCALES = ("full", "smoke")


# ---------------------------------------------------------------------------------------
# One settings group per lab, plus the lesson checks. Defaults are the course's values.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lab1Settings:
    """Lab 1: prompting and generation parameters."""

    example_indices: tuple[int, ...] = (40, 200)
    """Test dialogues shown with their human summaries (course: 40 and 200)."""
    one_shot_indices: tuple[int, ...] = (40,)
    """Test dialogues used as the one-shot example (course: 40)."""
    few_shot_indices: tuple[int, ...] = (40, 80, 120)
    """Test dialogues used as few-shot examples (course: 40, 80, 120)."""
    overflow_shot_indices: tuple[int, ...] = (40, 80, 120)
    """Solved examples long enough to push the dialogue past the window, for the overflow
    demonstration (course: its few-shot prompt, which overflowed)."""
    temperatures: tuple[float, ...] = (0.1, 0.5, 1.0, 2.0)
    """Sampling temperatures compared."""
    samples_per_setting: int = 5
    """Samples drawn per generation setting."""
    sampling_top_k: int = 50
    """Top-k setting: sample only among the k likeliest next tokens (1 = greedy)."""
    sampling_top_p: float = 0.9
    """Top-p (nucleus) setting: sample among the likeliest tokens holding this mass."""
    short_max_new_tokens: int = 10
    """A deliberately small max_new_tokens, to show summaries cut mid-sentence."""
    playground_temperature: float = 0.7
    """The playground's starting temperature."""
    n_eval_dialogues: int = 200
    """Test dialogues every prompting strategy is scored on with ROUGE."""


@dataclass(frozen=True)
class Lab2Settings:
    """Lab 2: full fine-tuning and LoRA."""

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
    max_steps: int = -1
    """Stop each method after this many optimizer steps (-1: run the epochs)."""
    n_eval_dialogues: int = 200
    """Test dialogues the base, full and LoRA models are scored on with ROUGE."""


REWARDS = ("nothate logit", "toxicity penalty")
"""The rewards lab 3 knows how to build from the toxicity classifier."""


@dataclass(frozen=True)
class Lab3Settings:
    """Lab 3: RLHF with PPO, and a reward model trained with TRL."""

    min_dialogue_chars: int = 200
    """Shortest dialogue kept for PPO (course: 200)."""
    max_dialogue_chars: int = 1000
    """Longest dialogue kept for PPO (course: 1000)."""
    n_toxicity_eval: int = 100
    """Held-out dialogues whose summaries are scored before and after PPO."""
    reward: str = "nothate logit"
    """PPO's reward from the toxicity classifier: ``"nothate logit"`` (the course's) or
    ``"toxicity penalty"`` (minus the probability of the toxic label: 0 for clean text)."""
    ppo: PPOConfig = field(default_factory=PPOConfig)
    """PPO hyper-parameters (utils/ppo_config.py; course values by default)."""
    lora_r: int = 32
    """LoRA rank of the PPO policy (course: 32)."""
    lora_alpha: int = 32
    """LoRA alpha of the PPO policy (course: 32)."""
    lora_dropout: float = 0.05
    """LoRA dropout of the PPO policy, recorded in its config (course: 0.05; PPO runs
    with every dropout off, see utils/ppo.py)."""
    lora_target_modules: tuple[str, ...] = ("q", "v")
    """Attention projections the PPO policy's LoRA adapts (course: q and v)."""
    rm_train_pairs: int = 400
    """Preference pairs RewardTrainer learns from."""
    rm_eval_pairs: int = 100
    """Held-out preference pairs for the reward model's pairwise accuracy."""
    rm_epochs: float = 1.0
    """Epochs of reward-model training."""
    rm_learning_rate: float = 1e-5
    """Learning rate of reward-model training."""

    def __post_init__(self) -> None:
        if self.reward not in REWARDS:
            raise LabsError(
                f"Unknown lab 3 reward {self.reward!r}: use one of {', '.join(map(repr, REWARDS))}."
            )


@dataclass(frozen=True)
class LessonChecks:
    """Thresholds of the facts each lab's last cell asserts (kept apart from settings)."""

    lessons: bool = True
    """False where the models cannot show the lessons (random weights at smoke scale):
    check cells then assert only what holds without training, and say so."""
    lab1_min_distinct2_gain: float = 0.2
    """Distinct-2 at the highest temperature exceeds greedy's by at least this."""
    lab1_prompt_lessons: bool = False
    """Assert lab 1's prompt lessons, with the thresholds below: the instruction beats no
    prompt, one-shot beats zero-shot and few-shot (that fits) is not worse than one-shot, each
    by a paired 95% CI. Off in course: this project has not run FLAN-T5 to confirm them."""
    lab1_max_no_prompt_same: float = 0.2
    """At most this share of no-prompt outputs equals the instruction's (the prompt matters)."""
    lab1_min_template_differs: float = 0.5
    """At least this share of FLAN-template outputs differs from the instruction's."""
    lab1_min_one_shot_style: float = 0.5
    """At least this share of one-shot outputs takes the example's #PersonN# style..."""
    lab1_max_zero_shot_style: float = 0.1
    """...which at most this share of zero-shot outputs has."""
    lab1_max_copies_example: float = 0.05
    """At most this share of one-shot outputs summarizes the example instead."""
    lab1_min_own_dialogue: float = 0.9
    """At least this share of one-shot outputs is about its own dialogue."""
    lab1_max_non_words: float | None = None
    """At temperature 1.0 (no top-k/top-p), at most this share of samples holds a word found
    nowhere in the training data (None: not checked)."""
    lab2_min_rouge1_gain: float = 0.0
    """The 95% CI of each method's ROUGE-1 gain over the base model starts at least here (and
    above 0; ROUGE-2's too)."""
    lab2_content_lessons: bool = False
    """Assert that the gain is in what the summaries say: content-word ROUGE-1 gain above 0,
    loops and summaries about another dialogue rare (thresholds below). Off in course: not
    measured on FLAN-T5 by this project."""
    lab2_max_loop_share: float = 0.02
    """At most this share of fine-tuned summaries repeats a 3-gram 3+ times."""
    lab2_min_own_dialogue: float = 0.95
    """At least this share of fine-tuned summaries is about its own dialogue."""
    lab2_lora_vs_full: tuple[float, float] | None = None
    """LoRA's ROUGE-1 minus full fine-tuning's lies in this range (None: not checked)."""
    lab2_max_adapter_share: float = 0.1
    """The LoRA adapter's weights are at most this share of the full model's on disk."""
    lab2_max_lora_share: float = 0.05
    """LoRA trains at most this fraction of the parameters (course: 1.4%)."""
    lab3_min_toxicity_drop: float | None = None
    """Mean toxicity falls by at least this fraction after PPO, with a CI below zero. None
    (course) checks nothing: the course's 10 steps at lr 1.41e-5 give no reliable effect
    (a rerun of its notebook flipped the sign)."""
    lab3_max_rouge1_drop: float = 0.05
    """ROUGE-1 falls by at most this (absolute) after PPO, or its CI includes zero."""
    lab3_toxicity_before: tuple[float, float] | None = None
    """The starting summaries' mean toxicity lies in this range: something to remove, on a
    random sample (None: not checked; real DialogSum holds little abuse)."""
    lab3_min_own_dialogue: float | None = None
    """After PPO, at least this share of summaries is about its own dialogue."""
    lab3_min_clean_unchanged: float | None = None
    """After PPO, at least this share of clean dialogues' summaries is word for word the same."""
    lab3_near_ties_change_more: bool = False
    """Clean summaries whose greedy decoding came within 0.25 nats of a tie changed under PPO
    more often than the others (off in course: not measured on FLAN-T5 by this project)."""
    lab3_min_rm_accuracy: float = 0.9
    """The learned reward model's pairwise accuracy on held-out pairs."""


@dataclass(frozen=True)
class Profile:
    """Everything that differs between profiles: shared fields, then one group per lab."""

    name: str
    """``course`` or ``tiny``."""
    reason: str = ""
    """Why this profile was chosen (filled in by ``get_profile``)."""
    scale: str = "full"
    """``full``, or ``smoke``: the course's ids and shapes with tiny counts (tests)."""

    # ---- shared by every lab ----
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
    so a fixed count makes results repeat on any machine."""
    dialogue_to_summarize: int = 200
    """The test dialogue the labs summarize by hand (course: 200)."""
    max_new_tokens: int = 50
    """Summary length cap for generation (course: 50)."""
    gen_batch_size: int = 16
    """Dialogues per generate() call in batched evaluation."""
    cell_timeout_s: int = 4 * 3600
    """Longest a notebook cell may run under `python -m utils run` (lab 2's training cells
    take hours on a CPU in the course profile)."""

    lab1: Lab1Settings = field(default_factory=Lab1Settings)
    lab2: Lab2Settings = field(default_factory=Lab2Settings)
    lab3: Lab3Settings = field(default_factory=Lab3Settings)
    checks: LessonChecks = field(default_factory=LessonChecks)

    @property
    def outputs_dir(self) -> Path:
        """Where the labs save models and adapters: one folder per profile and scale, so a
        tiny run's adapter is never loaded onto the course's model (git-ignored)."""
        return OUTPUTS_DIR / (self.name if self.scale == "full" else f"{self.name}-{self.scale}")


COURSE = Profile(name="course")

# The tiny profile lists only what differs from the course, each with its reason.
TINY = Profile(
    name="tiny",
    # the offline world in assets/, loaded with the same from_pretrained / load_dataset calls
    model_id=str(TINY_T5_DIR),
    dataset_id=str(DIALOGSUM_DIR),
    toxicity_model_id=str(TINY_CLASSIFIER_DIR),
    cpu_threads=1,  # a tiny model's ops are too small to gain from a second core
    gen_batch_size=32,  # short prompts: bigger batches are faster on a CPU
    cell_timeout_s=900,  # every tiny cell takes seconds; a hang should fail fast
    lab1=replace(
        COURSE.lab1,
        # clean test dialogues of the stand-in's corpus; the shots are short ones, so that the
        # one- and few-shot prompts fit the window, and the overflow shots long ones, so that,
        # as the course's few-shot prompt did, their prompt overflows the 512-token window
        example_indices=(45, 200),
        one_shot_indices=(185,),
        few_shot_indices=(185, 470, 540),
        overflow_shot_indices=(188, 576, 486),
        # the stand-in's distribution is peaked: at top_k=50 / top_p=0.9 both filters keep
        # the same head and draw the same samples; tighter ones show the difference
        sampling_top_k=10,
        sampling_top_p=0.5,
        short_max_new_tokens=5,  # its summaries are ~17 tokens (FLAN-T5's ~20)
        n_eval_dialogues=100,  # enough for paired CIs in seconds
    ),
    lab2=replace(
        COURSE.lab2,
        # 300 steps over the 2,400 rows: ~1 min per method on 1 CPU thread; a small model
        # from scratch takes larger steps than FLAN-T5's 1e-5 to move in one epoch. Measured
        # with lab 2 on the world of the fourth T5 stage, LoRA - full ROUGE-1 on all 600 test
        # dialogues (LoRA at 1e-3): +0.009 at 2e-4, +0.012 at 3e-4, +0.024 at 5e-4, +0.035 at
        # 1e-3; on the sixth stage's world, -0.001 at 2e-4 (full 0.637)
        full_ft_learning_rate=2e-4,
        # r=32 on d_model=128 would train 6.2% of the weights (FLAN-T5-base: 1.4%); r=16
        # keeps LoRA's point, a few percent. alpha=64 (update scale alpha/r = 4, the course's
        # is 1) lets the adapter catch up within one short epoch
        lora_r=16,
        lora_alpha=64,
        # twice the course's 1e-3: LoRA's summaries repeated a sentence 3.2% of the time at
        # 1e-3 (ROUGE-1 0.636; about their own dialogue 95.2%); at 2e-3, 1.2% (0.638; 95.7%).
        # Also measured: alpha 32 2.5%, lr 5e-4 2.2%, two epochs 1.3% (0.630), r 32 3.7%
        lora_learning_rate=2e-3,
        max_target_tokens=64,  # the stand-in's references are short (47 tokens at most)
        n_eval_dialogues=600,  # every test dialogue: three models in well under a minute
    ),
    lab3=replace(
        COURSE.lab3,
        # PPO's reward is minus the probability of hate, 0 for every clean summary. The
        # course's nothate logit gives any clean summary about +3, and a positive reward moves
        # this PPO even when it is equal for every sample: on clean dialogues without a KL
        # penalty, a constant +2.5 took their summaries from 13.6 to 10.0 words (39%
        # unchanged), a constant -2.5 lengthened them (14.5 words). With the logit, every
        # setting that lowered toxicity also rewrote about half of the clean summaries (best:
        # 38% drop; ROUGE-1 -0.051, CI below 0; 55% unchanged)
        reward="toxicity penalty",
        # the stand-in's LoRA barely moves at the course's 1.41e-5: a larger step, larger
        # batches for a less noisy reward, clipped gradients; responses of 24-55 tokens; one
        # mini-batch of the whole rollout, two epochs; advantages are the plain returns minus
        # the value (lam 1), not whitened. Measured on lab 3's held-out sample (toxicity drop
        # and its CI; ROUGE-1 change and its CI; about their own dialogue after, 96% before;
        # clean summaries unchanged): 3e-4 x 50 steps: 34%, CI below 0; -0.016, CI reaching
        # 0; 96%; 83% (shipped). 60 steps: 43%; -0.018; 96%; 79%. lam 0.95: 38%; -0.020; 96%;
        # 79%. Whitened: 23%, CI reaching 0; -0.012; 97%; 87%. Mini-batches of 8: 51%;
        # -0.017; 96%; 75%; 35 steps of them: 35%; -0.008; 95%; 75%. A random value head (as
        # before): 3%; +0.002; 96%; 77%. No KL penalty (init_kl_coef 0, fixed): 93%; -0.069,
        # CI below 0; 91%; 46% (the clean summaries 13.6 -> 9.7 words)
        ppo=PPOConfig(
            learning_rate=3e-4,
            batch_size=32,
            mini_batch_size=32,
            ppo_epochs=2,
            max_ppo_steps=50,
            max_grad_norm=1.0,
            init_kl_coef=0.5,
            lam=1.0,
            whiten_advantages=False,
            output_min_length=24,
            output_max_length=56,
        ),
        lora_r=16,  # as lab 2's: r=32 would train 6% of this small model
        # at 1e-5 the reward model's 25 steps barely move its fresh head, so its held-out
        # accuracy was whatever the random head's sign gave (measured 0.0, 0.82 and 1.0)
        rm_learning_rate=1e-3,
    ),
    checks=replace(
        COURSE.checks,
        # the stand-in's lessons are measured (assets/README.md), so they are asserted; where
        # the world misses the offline-world issue's target, the threshold guards the measured
        # level and the comment says so
        lab1_prompt_lessons=True,  # one-shot about its own dialogue: measured 93% (target 90%)
        lab1_max_non_words=0.02,  # measured 0%; one-shot copies the example in 5% (max 5%)
        lab2_min_rouge1_gain=0.05,  # CI lows measured +0.20 (full) and +0.21 (LoRA)
        lab2_content_lessons=True,  # content-word gains measured +0.13 and +0.13, CIs above 0
        # loops: the course's 2% holds (measured 1.7% full, 1.2% LoRA); about their own
        # dialogue, the default 95% holds too (measured 96.7% full, 95.7% LoRA; base 92.5%)
        lab2_lora_vs_full=(-0.03, 0.01),  # LoRA within a few points of full fine-tuning
        lab3_toxicity_before=(0.05, 0.30),  # measured 0.17 on sampled summaries
        lab3_min_toxicity_drop=0.3,  # measured -34%, CI below 0
        lab3_max_rouge1_drop=0.01,  # measured -0.016, CI [-0.036, +0.002] reaching 0
        lab3_min_own_dialogue=0.95,  # measured 96% after PPO, 96% before
        # measured 83%. Of the clean summaries that came within 0.25 nats of a tie somewhere
        # (79%: the corpus draws its wording at random), 21% changed; of the others, none
        lab3_min_clean_unchanged=0.8,
        lab3_near_ties_change_more=True,
    ),
)

# ---- smoke scale (LABS_SCALE=smoke): the course's ids, shapes, tokenizers and code path
# with tiny counts, so a test can run all three labs through a local Hub stand-in in minutes.
# Random weights cannot show the lessons, so the check cells skip them (checks.lessons).
COURSE_SMOKE = replace(
    COURSE,
    scale="smoke",
    gen_batch_size=4,
    max_new_tokens=16,  # random weights never stop early: every summary runs to the cap
    cell_timeout_s=900,
    lab1=replace(
        COURSE.lab1,
        temperatures=(0.5, 1.0),
        samples_per_setting=2,
        short_max_new_tokens=5,
        n_eval_dialogues=4,
    ),
    lab2=replace(
        COURSE.lab2,
        train_every_nth=100,
        train_batch_size=2,
        max_steps=2,
        logging_steps=1,
        n_eval_dialogues=4,
    ),
    lab3=replace(
        COURSE.lab3,
        n_toxicity_eval=4,
        ppo=PPOConfig(
            batch_size=4,
            mini_batch_size=2,
            max_ppo_steps=1,
            output_min_length=8,
            output_max_length=16,
        ),
        rm_train_pairs=8,
        rm_eval_pairs=4,
    ),
    checks=replace(COURSE.checks, lessons=False),
)

PROFILES = {"course": COURSE, "tiny": TINY}


def resolve_auto() -> tuple[str, str]:
    """Pick ``course`` or ``tiny`` for ``auto`` (see ``utils/hub.py``); returns (name, reason)."""
    from utils.hub import resolve_auto as resolve

    return resolve(COURSE)


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
    scale = os.environ.get(SCALE_ENV_VAR, "full").strip().lower() or "full"
    if scale not in VALID_SCALES:
        raise LabsError(
            f"Unknown scale {scale!r} in {SCALE_ENV_VAR}. Valid scales are: "
            f"{', '.join(VALID_SCALES)} (smoke: the course's models with tiny counts, for "
            f"tests). Unset {SCALE_ENV_VAR} to run the labs in full."
        )
    if chosen == "auto":
        resolved, why = resolve_auto()
        why = f"auto: {why}"
    else:
        resolved, why = chosen, f"set by {PROFILE_ENV_VAR}={chosen}" if not name else "requested"
    profile = PROFILES[resolved]
    if scale == "smoke":
        if resolved != "course":
            raise LabsError(
                f"{SCALE_ENV_VAR}=smoke shrinks the course profile for tests, but the profile "
                f"is {resolved!r}. Use {PROFILE_ENV_VAR}=course with it, or unset "
                f"{SCALE_ENV_VAR}."
            )
        profile, why = COURSE_SMOKE, f"{why}, {SCALE_ENV_VAR}=smoke"
    profile = replace(profile, reason=why)
    if verbose:
        if resolved == "tiny":
            tag = "offline stand-ins, not FLAN-T5"
        elif scale == "smoke":
            tag = "the course's models at smoke scale: tiny counts, no lessons checked"
        else:
            tag = "the course's models"
        print(f"Profile: {resolved} ({tag}); {why}.")
    return profile
