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

from utils.dpo_config import DPOConfig
from utils.errors import LabsError
from utils.paths import DIALOGSUM_DIR, OUTPUTS_DIR, TINY_CLASSIFIER_DIR, TINY_T5_DIR
from utils.ppo_config import PPOConfig

PROFILE_ENV_VAR = "LABS_PROFILE"
VALID_CHOICES = ("course", "tiny", "auto")
SCALE_ENV_VAR = "LABS_SCALE"
VALID_SCALES = ("full", "smoke")
SEED_ENV_VAR = "LABS_SEED"


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
    toxicity_samples: int = 1
    """Sampled summaries per held-out dialogue whose toxicity is averaged (course: 1)."""
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
    activation_checkpointing: bool = True
    """Recompute the policy's activations in the backward pass of PPO's update instead of
    keeping them: less memory for more compute (``build_policy``)."""
    rm_train_pairs: int = 400
    """Preference pairs RewardTrainer learns from."""
    rm_eval_pairs: int = 100
    """Held-out preference pairs for the reward model's pairwise accuracy."""
    rm_epochs: float = 1.0
    """Epochs of reward-model training."""
    rm_learning_rate: float = 1e-5
    """Learning rate of reward-model training."""
    dpo: DPOConfig = field(default_factory=DPOConfig)
    """DPO's settings for the section beyond the course (utils/dpo_config.py; the DPO paper's
    beta and plain DPO by default). Its LoRA adapter takes the PPO policy's shape above."""

    def __post_init__(self) -> None:
        if self.reward not in REWARDS:
            raise LabsError(
                f"Unknown lab 3 reward {self.reward!r}: use one of {', '.join(map(repr, REWARDS))}."
            )


@dataclass(frozen=True)
class Lab1Checks:
    """Thresholds of lab 1's check cell."""

    min_distinct2_gain: float = 0.2
    """Distinct-2 at the highest temperature exceeds greedy's by at least this."""
    prompt_lessons: bool = False
    """Assert lab 1's prompt lessons, with the thresholds below: the instruction beats no
    prompt, one-shot beats zero-shot and few-shot (that fits) is not worse than one-shot, each
    by a paired 95% CI. Off in course: this project has not run FLAN-T5 to confirm them."""
    max_no_prompt_same: float = 0.2
    """At most this share of no-prompt outputs equals the instruction's (the prompt matters)."""
    min_template_differs: float = 0.5
    """At least this share of FLAN-template outputs differs from the instruction's."""
    template_not_worse: bool = False
    """Assert that the model's own template does at least as well as the instruction (the
    paired 95% CI of the ROUGE-1 difference reaches 0 or above): the course's lesson on
    FLAN-T5, "a prompt the model saw in training can work better"."""
    min_no_prompt_distinct: float | None = None
    """At least this share of no-prompt outputs differ from each other (None: not checked)."""
    min_no_prompt_own_dialogue: float | None = None
    """No-prompt outputs are about their own dialogue: on average it beats at least this share
    of the other drawn dialogues at holding their content words (None: not checked)."""
    min_one_shot_style: float = 0.5
    """At least this share of one-shot outputs takes the example's #PersonN# style..."""
    max_zero_shot_style: float = 0.1
    """...which at most this share of zero-shot outputs has."""
    max_copies_example: float = 0.05
    """At most this share of one-shot outputs summarizes the example instead."""
    min_own_dialogue: float = 0.9
    """One-shot outputs' mean share of other dialogues their own dialogue beats (see
    ``utils.evaluation.about_own_dialogue``)."""
    max_non_words: float | None = None
    """At temperature 1.0 (no top-k/top-p), at most this share of samples holds a word found
    nowhere in the training data (None: not checked)."""


@dataclass(frozen=True)
class Lab2Checks:
    """Thresholds of lab 2's check cell."""

    min_rouge1_gain: float = 0.0
    """The 95% CI of each method's ROUGE-1 gain over the base model starts at least here (and
    above 0; ROUGE-2's too)."""
    content_lessons: bool = False
    """Assert that the gain is in what the summaries say: content-word ROUGE-1 gain above 0,
    loops and summaries about another dialogue rare (thresholds below). Off in course: not
    measured on FLAN-T5 by this project."""
    max_loop_share: float = 0.02
    """At most this share of fine-tuned summaries loops (``utils.evaluation.repeats_itself``)."""
    min_own_dialogue: float = 0.95
    """Fine-tuned summaries' mean share of other dialogues their own dialogue beats."""
    lora_vs_full: tuple[float, float] | None = None
    """LoRA's ROUGE-1 minus full fine-tuning's lies in this range (None: not checked)."""
    max_adapter_share: float = 0.1
    """The LoRA adapter's weights are at most this share of the full model's on disk."""
    max_lora_share: float = 0.05
    """LoRA trains at most this fraction of the parameters (course: 1.4%)."""


@dataclass(frozen=True)
class Lab3Checks:
    """Thresholds of lab 3's check cell."""

    min_toxicity_drop: float | None = None
    """Mean toxicity falls by at least this fraction after PPO, with a CI below zero. None
    (course) checks nothing: the course's 10 steps at lr 1.41e-5 give no reliable effect
    (a rerun of its notebook flipped the sign)."""
    min_greedy_toxicity_drop: float | None = None
    """The greedy summaries of abusive dialogues' mean toxicity falls by at least this fraction
    (None: not checked). Greedy decoding keeps the summarizer's likeliest wording, so it moves
    less than the sampled summaries PPO trains on."""
    max_rouge1_drop: float = 0.05
    """ROUGE-1 falls by at most this (absolute) after PPO."""
    toxicity_before: tuple[float, float] | None = None
    """The starting summaries' mean toxicity lies in this range: something to remove, on a
    random sample (None: not checked; real DialogSum holds little abuse)."""
    min_own_dialogue: float | None = None
    """After PPO, summaries' mean share of other dialogues their own dialogue beats."""
    min_clean_unchanged: float | None = None
    """After PPO, at least this share of clean dialogues' summaries is word for word the same."""
    near_ties_change_more: bool = False
    """Clean summaries whose greedy decoding came within 0.25 nats of a tie changed under PPO
    more often than the others (off in course: not measured on FLAN-T5 by this project)."""
    min_rm_accuracy: float = 0.9
    """The learned reward model's pairwise accuracy on held-out pairs."""
    dpo_min_toxicity_drop: float | None = None
    """DPO lowers mean toxicity by at least this fraction, with a CI below zero. None (course)
    checks no DPO lesson: this project has not run DPO on FLAN-T5."""
    dpo_max_rouge1_drop: float | None = None
    """DPO's ROUGE-1 falls by at most this (absolute; None: not checked)."""
    dpo_min_rouge1_ci_high: float | None = None
    """The high end of the 95% CI of DPO's ROUGE-1 change is at least this: a loss no larger
    than this is within the noise (None: not checked)."""
    dpo_min_own_dialogue: float | None = None
    """After DPO, summaries' mean share of other dialogues their own dialogue beats."""


@dataclass(frozen=True)
class LessonChecks:
    """Thresholds of the facts each lab's last cell asserts, grouped like the settings."""

    lessons: bool = True
    """False where the models cannot show the lessons (random weights at smoke scale):
    check cells then assert only what holds without training, and say so."""
    lab1: Lab1Checks = field(default_factory=Lab1Checks)
    lab2: Lab2Checks = field(default_factory=Lab2Checks)
    lab3: Lab3Checks = field(default_factory=Lab3Checks)


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
    """One seed for every lab: training, sampling and the held-out draw (``LABS_SEED``)."""
    bf16: bool = True
    """Load the models in bfloat16 where the device supports it (the course did, on a GPU);
    float32 on a CPU and on GPUs without bfloat16 (see ``model_dtype_name``)."""
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

# The tiny profile lists only what differs from the course, each with one reason. Settings were
# chosen on the validation split; each threshold sits below the worst of the lessons benchmark's
# runs with a margin. The runs behind both: benchmarks/README.md and benchmarks/results/.
TINY = Profile(
    name="tiny",
    # the offline world in assets/, loaded with the same from_pretrained / load_dataset calls
    model_id=str(TINY_T5_DIR),
    dataset_id=str(DIALOGSUM_DIR),
    toxicity_model_id=str(TINY_CLASSIFIER_DIR),
    bf16=False,  # a few-MB model on a CPU: float32 everywhere, the same figures on any machine
    cpu_threads=1,  # two threads were faster alone but far slower beside another busy process
    gen_batch_size=32,  # short prompts: bigger batches are faster on a CPU
    cell_timeout_s=900,  # every tiny cell takes seconds; a hang should fail fast
    lab1=replace(
        COURSE.lab1,
        # clean test dialogues: short shots, so that one- and few-shot prompts fit the window,
        # and long overflow shots, so that (as the course's few-shot prompt did) theirs overflows
        example_indices=(45, 200),
        one_shot_indices=(322,),
        few_shot_indices=(322, 201, 196),
        overflow_shot_indices=(341, 371, 478),
        # a peaked distribution: at top_k=50 / top_p=0.9 both filters keep the same head
        sampling_top_k=10,
        sampling_top_p=0.5,
        short_max_new_tokens=5,  # its summaries are shorter than FLAN-T5's
        n_eval_dialogues=100,  # enough for paired CIs in seconds
    ),
    lab2=replace(
        COURSE.lab2,
        full_ft_learning_rate=2e-4,  # a small model needs larger steps to move in one epoch
        lora_r=16,  # r=32 on d_model=128 would train 6% of the weights, not a few percent
        lora_alpha=64,  # alpha/r = 4 lets the adapter catch up in one short epoch
        lora_learning_rate=2e-3,  # at the course's 1e-3 LoRA's summaries looped more often
        max_target_tokens=64,  # the stand-in's references are short
        n_eval_dialogues=600,  # every test dialogue: three models in well under a minute
    ),
    lab3=replace(
        COURSE.lab3,
        n_toxicity_eval=300,  # enough for a narrow CI: about 90 abusive dialogues among them
        toxicity_samples=3,  # with one sample per dialogue the drop's CI reached 0 on some draws
        # minus P(hate), 0 for a clean summary: the course's nothate logit rewards every clean
        # summary, and that constant pushed this PPO to rewrite them (lab 3, 3.3)
        reward="toxicity penalty",
        # the stand-in's LoRA barely moves at the course's 1.41e-5: a larger step, larger batches
        # for a less noisy reward, clipped gradients, one mini-batch of the whole rollout, plain
        # returns minus the value (lam 1, not whitened); the alternatives tried are tabled in
        # benchmarks/README.md
        ppo=PPOConfig(
            learning_rate=4.5e-4,
            batch_size=48,
            mini_batch_size=48,
            ppo_epochs=2,
            max_ppo_steps=50,
            max_grad_norm=1.0,
            init_kl_coef=0.5,
            lam=1.0,
            whiten_advantages=False,
            output_min_length=24,
            output_max_length=56,
            mask_first_token=False,  # every token counts: tiny's thresholds were measured so
            min_new_tokens=5,  # one more than the course's rule: tiny's thresholds were measured so
        ),
        lora_r=16,  # as lab 2's
        activation_checkpointing=False,  # its activations take a few MB; recomputing costs time
        rm_learning_rate=1e-3,  # at 1e-5 the reward model's few steps barely move its fresh head
        # DPO (3.12): the settings chosen on the validation split over 3 seeds
        dpo=replace(
            COURSE.lab3.dpo,
            beta=0.5,  # at the paper's 0.1 the drop's CI reached 0
            learning_rate=5e-4,  # at 2.5e-4 the drop's CI reached 0 on one seed of three
            epochs=4,  # with 3 the drop's CI reached 0 on a validation subsample (world v3h)
            n_samples=4,  # best vs worst of 4 gives larger gaps and fewer ties than of 2
            # plain DPO learned "write less" (the chosen summary was often the rejected one
            # minus its insult): pairs whose chosen summary is no shorter, and the chosen's NLL
            length_ratio=(1.0, 2.0),
            rpo_alpha=5.0,
        ),
    ),
    # thresholds: each below the worst of the benchmark's runs (benchmarks/results/lessons.csv)
    checks=replace(
        COURSE.checks,
        lab1=replace(
            COURSE.checks.lab1,
            # the prompt lessons hold on every run of the benchmark here, so they are asserted
            prompt_lessons=True,
            template_not_worse=True,
            # no prompt: issue 24's floors, well below what the benchmark measured
            min_no_prompt_distinct=0.3,
            min_no_prompt_own_dialogue=0.8,
            max_non_words=0.02,  # sampling at temperature 1 invents words; rarely, here
            # one-shot summaries rarely copy their example and stay about their own dialogue
            max_copies_example=0.08,
            min_own_dialogue=0.85,
        ),
        lab2=replace(
            COURSE.checks.lab2,
            # lab 2's lessons hold on every run of the benchmark here; each limit has a margin
            min_rouge1_gain=0.05,
            content_lessons=True,
            lora_vs_full=(-0.03, 0.02),
            max_loop_share=0.06,  # a small model loops more than FLAN-T5
            min_own_dialogue=0.92,  # its fine-tuned summaries stay about their own dialogue
        ),
        lab3=replace(
            COURSE.checks.lab3,
            # PPO's lesson (3.9) and DPO's (3.12), each limit a margin below the benchmark's worst
            min_toxicity_drop=0.1,
            min_greedy_toxicity_drop=0.05,
            max_rouge1_drop=0.045,
            toxicity_before=(0.05, 0.30),
            min_own_dialogue=0.9,
            min_clean_unchanged=0.65,
            near_ties_change_more=True,
            dpo_min_toxicity_drop=0.1,
            dpo_min_own_dialogue=0.9,
            # DPO costs more ROUGE-1 against v3f's leaner references than before
            dpo_max_rouge1_drop=0.06,
            dpo_min_rouge1_ci_high=-0.035,
        ),
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
        # random weights: any reward difference makes a pair (min_gap 0 drops exact ties only)
        dpo=DPOConfig(n_dialogues=4, batch_size=2, max_new_tokens=16, min_gap=0.0),
    ),
    checks=replace(COURSE.checks, lessons=False),
)

PROFILES = {"course": COURSE, "tiny": TINY}


def resolve_auto() -> tuple[str, str]:
    """Pick ``course`` or ``tiny`` for ``auto`` (see ``utils/hub.py``); returns (name, reason)."""
    from utils.hub import resolve_auto as resolve

    return resolve(COURSE)


def seed_from_env(default: int) -> int:
    """``$LABS_SEED`` as an int, or ``default`` when it is unset; a clear error otherwise."""
    text = os.environ.get(SEED_ENV_VAR, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise LabsError(
            f"{SEED_ENV_VAR}={text!r} is not a whole number. Set it to one (for example "
            f"`{SEED_ENV_VAR}=101`) to re-run the labs with another seed and held-out draw, "
            f"or unset it for the default seed."
        ) from None


def model_dtype_name(profile: Profile, device_type: str, bf16_supported: bool) -> str:
    """The dtype the labs load models in: ``"bfloat16"`` when the profile asks for it and the
    device is a GPU that supports it, else ``"float32"`` (a CPU; an older GPU)."""
    if profile.bf16 and device_type in ("cuda", "mps") and bf16_supported:
        return "bfloat16"
    return "float32"


def get_profile(name: str | None = None, verbose: bool = True, seed: int | None = None) -> Profile:
    """Return the profile named ``name`` (default: ``$LABS_PROFILE``, else ``auto``), with
    ``seed`` (default: ``$LABS_SEED``, else the profile's).

    With ``verbose`` it prints one line: which profile runs, why, and its seed.
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
    profile = replace(
        profile, reason=why, seed=seed_from_env(profile.seed) if seed is None else seed
    )
    if verbose:
        if resolved == "tiny":
            tag = "offline stand-ins, not FLAN-T5"
        elif scale == "smoke":
            tag = "the course's models at smoke scale: tiny counts, no lessons checked"
        else:
            tag = "the course's models"
        print(f"Profile: {resolved} ({tag}); {why}; seed {profile.seed}.")
    return profile
