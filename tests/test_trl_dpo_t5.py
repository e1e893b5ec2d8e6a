"""Records that TRL's ``DPOTrainer`` still cannot train a T5 (why ``utils/dpo.py`` exists).

With trl 1.16, DPO's fused LM head calls the base model as a decoder-only model, and a T5
fails at the first step: "You must specify exactly one of input_ids or inputs_embeds"
(encoder-decoder support left DPO in TRL's "Refactor DPO (#3906)"). When this test fails
because the step ran, TRL supports T5 again: switch lab 3's DPO to ``trl.DPOTrainer``.
"""

from __future__ import annotations

import copy

import pytest

from utils.paths import TINY_T5_DIR

EXPECTED = "You must specify exactly one of input_ids or inputs_embeds"


# trl 1.16's DPOConfig still sets transformers' renamed `gradient_checkpointing` (harmless)
@pytest.mark.filterwarnings("ignore:`gradient_checkpointing` is deprecated:FutureWarning")
def test_trl_dpo_trainer_still_rejects_a_t5(tiny_t5, tmp_path):
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import DPOConfig, DPOTrainer

    tokenizer = AutoTokenizer.from_pretrained(TINY_T5_DIR)
    model = tiny_t5(vocab_size=len(tokenizer))
    pair = {"prompt": "Summarize: hello.", "chosen": "They greet.", "rejected": "You idiot."}
    args = DPOConfig(
        output_dir=str(tmp_path),
        max_steps=1,
        per_device_train_batch_size=2,
        report_to="none",
        save_strategy="no",
        logging_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = DPOTrainer(
        model=model,
        ref_model=copy.deepcopy(model),  # else TRL reloads the model by name (it has none)
        args=args,
        train_dataset=Dataset.from_list([pair, pair]),
        processing_class=tokenizer,
    )
    try:
        trainer.train()
    except ValueError as error:
        assert EXPECTED in str(error), f"trl.DPOTrainer fails on a T5 another way now: {error}"
    else:
        pytest.fail(
            "trl.DPOTrainer now trains a T5 for a step: TRL supports encoder-decoders again. "
            "Switch lab 3's DPO from utils/dpo.py's loop to trl.DPOTrainer (issue 26), then "
            "delete this test."
        )
