"""Data loading for the CLiKA lm-evaluation-harness tasks (lm-eval >= 0.4.9, `custom_dataset`).

The harness calls the task's `custom_dataset` with the task's `metadata` (which `--metadata` JSON and the model
arguments are merged into) and its `dataset_kwargs`, so the data folder comes from `--metadata '{"clika_data": DIR}'`
or, failing that, from $CLIKA_DATA, the variable the `clika` command reads too.
"""

import json
import os
from pathlib import Path


def data_folder(clika_data=None):
    folder = clika_data or os.environ.get("CLIKA_DATA")
    if not folder:
        raise ValueError(
            "CLiKA tasks need the data folder: pass --metadata '{\"clika_data\": \"/path/to/clika-data\"}' "
            "or set CLIKA_DATA=/path/to/clika-data"
        )
    return Path(folder).expanduser()


def read_docs(data_file, clika_data=None):
    """The raw records of one CLiKA question file, in file order (the order `clika` and every language share)."""
    folder = data_folder(clika_data)
    path = folder / data_file
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file; is {folder} the CLiKA data folder?")
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]  # blank lines are skipped, as clika does


def load_clika(data_file, clika_data=None, **_metadata):
    """`custom_dataset` entry point: the question file as the task's single `test` split."""
    import datasets

    return {"test": datasets.Dataset.from_list(read_docs(data_file, clika_data), split=datasets.Split.TEST)}
