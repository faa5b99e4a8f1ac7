"""Hugging Face Trainer entry points of lrscope (importing this module imports torch and transformers).

>>> import lrscope.hf  # doctest: +SKIP
>>> found = lrscope.hf.find_lr(trainer)  # doctest: +SKIP
>>> TrainingArguments(output_dir="out", **found.training_args)  # doctest: +SKIP

See docs/huggingface.md.
"""

from .adapters.hf_trainer import USES, WSD_DECAY_FRACTION, TrainerLR, find_lr, to_training_args

__all__ = ["find_lr", "TrainerLR", "to_training_args", "USES", "WSD_DECAY_FRACTION"]
