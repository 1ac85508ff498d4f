"""clika: the CLiKA benchmark's metrics (RA, en-CO, XRR, RankC) and clika's reports, from Python, with plain types.

    import clika
    report = clika.score_published("../shared/clika-data", "llama_13b")   # the paper's Tables 5-7 for LLaMA-13B
    report["levels"]["factual"]["ra"]["en"]                                  # 0.7928: a dict, as `--format json` prints
    report.correct["x_geo"]["zh"]                                            # per question, True/False, English's order
    report.to_frame()                                                        # one row per task and language (pandas)

Reports come from `score_published` (the data folder's predictions), `score_run` (a `clika run` directory) and
`score_lm_eval` (lm-evaluation-harness --log_samples output); `run_fictional` runs a model on the Conductivity level. Bad arguments raise TypeError or ValueError naming the
argument; bad files raise clika.Error (a ValueError) with the CLI's one-line message; backend trouble clika.BackendError.
"""

from __future__ import annotations

import math
import numbers
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _core
from ._core import BackendError, Error, __version__

__all__ = [
    "BackendError",
    "Error",
    "Report",
    "__version__",
    "bootstrap_ci",
    "compare",
    "en_co",
    "rank_c",
    "report",
    "rescaled_accuracy",
    "score_lm_eval",
    "score_published",
    "run_fictional",
    "score_run",
    "xrr",
]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_DEFAULT_SEED: int = _core.default_seed  # the CLI's default seed, so reports equal its output
_MAX_RESAMPLES = 1_000_000


class Report(dict):
    """A report: the very dict `clika score --format json` prints (compares equal to it), plus

    correct    {task: {lang: [bool, ...]}}: each question's outcome, every language in English's question order
               (empty for Conductivity runs and lm-eval samples of tasks other than CLiKA's)
    questions  {task: [question id, ...]}: that order
    to_frame() the per-task table as a pandas DataFrame (needs pandas)
    """

    def __init__(self, report: Optional[Dict[str, Any]] = None, correctness: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(report or {})
        self.correct: Dict[str, Dict[str, List[bool]]] = {}
        self.questions: Dict[str, List[str]] = {}
        for task, entry in (correctness or {}).items():
            self.correct[task] = entry["correct"]
            self.questions[task] = entry["questions"]

    def to_frame(self) -> "Any":
        """One row per task and language: task, lang, then every number of its cell (an interval `x_ci` as
        `x_low` and `x_high`). Needs pandas (pip install pandas)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Report.to_frame() needs pandas: pip install pandas") from None
        tasks = self.get("tasks")
        if not isinstance(tasks, dict):
            raise ValueError("this report has no per-task table (a Conductivity report): read its dict instead")
        rows = []
        for task, langs in tasks.items():
            for lang, cell in langs.items():
                row: Dict[str, Any] = {"task": task, "lang": lang}
                for key, value in cell.items():
                    if key.endswith("_ci"):  # [low, high], or None without a bootstrap
                        row[key[:-3] + "_low"], row[key[:-3] + "_high"] = value if value is not None else (None, None)
                    else:
                        row[key] = value
                rows.append(row)
        return pandas.DataFrame(rows)


# ---- argument checks: each names the argument, as the CLI's messages name the option --------------------------------

def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}={value}: expected a finite number")
    return value


def _fraction(name: str, value: Any, low_open: bool = False, high_open: bool = False) -> float:
    value = _number(name, value)
    if value < 0 or value > 1 or (low_open and value == 0) or (high_open and value == 1):
        bounds = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        raise ValueError(f"{name}={value}: expected a fraction in {bounds}")
    return value


def _outcomes(name: str, values: Any) -> List[bool]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of booleans (True/False or 1/0), not {type(values).__name__}")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or (isinstance(v, numbers.Integral) and int(v) in (0, 1)):
            out.append(bool(v))
        elif hasattr(v, "item") and type(v.item()) in (bool, int) and v.item() in (0, 1):  # numpy.bool_
            out.append(bool(v.item()))
        else:
            raise TypeError(f"{name}[{i}]={v!r}: expected True/False or 1/0")
    return out


def _scores(name: str, rows: Any) -> List[List[float]]:
    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise TypeError(f"{name} must be a list of per-question lists of option scores, not {type(rows).__name__}")
    out = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise TypeError(f"{name}[{i}] must be a list of option scores, not {type(row).__name__}")
        out.append([_number(f"{name}[{i}][{j}]", s) for j, s in enumerate(row)])
    return out


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name}={value}: expected {low}..{high}")
    return value


def _confidence(value: Any) -> float:
    value = _number("confidence", value)
    if not 0.5 <= value <= 0.9999:
        raise ValueError(f"confidence={value}: expected 0.5..0.9999")
    return value


def _names(name: str, values: Any) -> Optional[List[str]]:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    if not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of names, not {type(values).__name__}")
    out = list(values)
    for i, v in enumerate(out):
        if not isinstance(v, str):
            raise TypeError(f"{name}[{i}] must be a str, not {type(v).__name__}")
    return out


def _path(name: str, value: Any) -> str:
    # Whether it exists is the core's to say, in the CLI's words (clika.Error).
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{name} must be a path (str, bytes or os.PathLike), not {type(value).__name__}")
    return os.fsdecode(os.fspath(value))


# ---- the metrics on plain lists -----------------------------------------------------------------------------------

def rescaled_accuracy(accuracy: float, chance: float, reference: float) -> float:
    """RA = max(0, (accuracy - chance) / (reference - chance)): fractions in, a fraction out.

    accuracy in [0, 1]; chance (the accuracy of guessing) in (0, 1); reference (the accuracy RA calls 1) in (chance, 1].
    """
    accuracy = _fraction("accuracy", accuracy)
    chance = _fraction("chance", chance, low_open=True, high_open=True)
    reference = _fraction("reference", reference)
    if reference <= chance:
        raise ValueError(f"reference={reference}: expected above chance={chance} (RA divides by reference - chance)")
    return _core.rescaled_accuracy(accuracy, chance, reference)


def en_co(english: Sequence[bool], other: Sequence[bool]) -> Optional[float]:
    """en-CO(X): of the questions correct in X (`other`), the share also correct in English; None when X has none
    correct. Both lists hold one outcome per question, in the same order."""
    return _core.en_co(_outcomes("english", english), _outcomes("other", other))


def xrr(english: Sequence[bool], other: Sequence[bool], chance: float = 0.05) -> Optional[float]:
    """XRR_X = max(0, (c(en and X) / c(en) - chance) / (1 - chance)) over type-1 facts; None when none is correct in
    English. chance in [0, 1)."""
    chance = _fraction("chance", chance, high_open=True)
    return _core.xrr(_outcomes("english", english), _outcomes("other", other), chance)


def rank_c(scores: Sequence[Sequence[float]], pivot_scores: Sequence[Sequence[float]]) -> Optional[float]:
    """RankC (Qi et al., EMNLP 2023): per question the options ranked by score in X and in the pivot language, weights
    softmax(N..1), mean of sum_j w_j |top_j(X) & top_j(pivot)| / j. One list of option scores per question in each."""
    return _core.rank_c(_scores("scores", scores), _scores("pivot_scores", pivot_scores))


def bootstrap_ci(values: Sequence[float], resamples: int = 1000, confidence: float = 0.95,
                 seed: int = _DEFAULT_SEED) -> Tuple[float, float]:
    """Percentile bootstrap interval (low, high) of the mean of per-item values (e.g. 0/1 correctness), with clika's
    seeded resampler: the same numbers on every platform. Ctrl-C interrupts it."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"values must be a sequence of numbers, not {type(values).__name__}")
    checked = [_number(f"values[{i}]", v) for i, v in enumerate(values)]
    if not checked:
        raise ValueError("values is empty: nothing to resample")
    return _core.bootstrap_ci(checked, _integer("resamples", resamples, 1, _MAX_RESAMPLES), _confidence(confidence),
                              _integer("seed", seed, 0, 2**64 - 1))


# ---- reports ------------------------------------------------------------------------------------------------------

def _settings(bootstrap: Any, seed: Any, confidence: Any) -> Dict[str, Any]:
    return {"bootstrap": _integer("bootstrap", bootstrap, 0, _MAX_RESAMPLES), "seed": _integer("seed", seed, 0, 2**64 - 1),
            "confidence": _confidence(confidence)}


def score_published(data: PathLike, model: str, tasks: Optional[Sequence[str]] = None, langs: Optional[Sequence[str]] = None,
                    bootstrap: int = 1000, seed: int = _DEFAULT_SEED, confidence: float = 0.95,
                    reference: Optional[str] = None) -> Report:
    """The report of a published model's predictions in the CLiKA data folder, as
    `clika score --data DATA --model MODEL [--reference REFERENCE] --format json`.

    tasks: x_copa, x_csqa, x_geo, x_name (default all); langs: en de fr it pl ru ar he ja zh (default all);
    reference: take RA references from this model's English accuracy instead of the paper's.
    """
    if not isinstance(model, str) or not model:
        raise TypeError(f"model must be a model name (str), not {model!r}")
    if reference is not None and (not isinstance(reference, str) or not reference):
        raise TypeError(f"reference must be a model name (str) or None, not {reference!r}")
    report, correctness = _core.score_published(_path("data", data), model, _names("tasks", tasks),
                                                _names("langs", langs), reference=reference, **_settings(bootstrap, seed, confidence))
    return Report(report, correctness)


def score_run(run_dir: PathLike, tasks: Optional[Sequence[str]] = None, langs: Optional[Sequence[str]] = None,
              bootstrap: int = 1000, seed: int = _DEFAULT_SEED, confidence: float = 0.95) -> Report:
    """The report of a `clika run` directory, as `clika score --run RUN_DIR --format json` (a run of
    `--tasks fictional`: its Conductivity report)."""
    report, correctness = _core.score_run(_path("run_dir", run_dir), _names("tasks", tasks), _names("langs", langs),
                                          **_settings(bootstrap, seed, confidence))
    return Report(report, correctness)


def score_lm_eval(dir: PathLike, metric: str = "acc", pivots: Sequence[str] = ("en",), task_map: Optional[PathLike] = None,
                  model: Optional[str] = None, bootstrap: int = 1000, seed: int = _DEFAULT_SEED,
                  confidence: float = 0.95) -> Report:
    """The report of lm-evaluation-harness `--log_samples` output, as
    `clika score --lm-eval-samples DIR [--lm-eval-model MODEL] --format json`: for samples of CLiKA's own tasks the
    paper's tables (as score_run, with .correct), for other tasks the families report.

    metric: acc or acc_norm; pivots: the languages en-CO and RankC compare with, first present wins; task_map: a JSON
    file {"my_task_de": ["my_family", "de"]} for lm-eval tasks clika does not know; model: the model folder to read
    where DIR holds several (lm-eval writes DIR/<model>/).
    """
    if metric not in ("acc", "acc_norm"):
        raise ValueError(f"metric={metric!r}: expected 'acc' or 'acc_norm'")
    checked_pivots = _names("pivots", pivots)
    if not checked_pivots:
        raise ValueError("pivots is empty: expected at least one language code")
    if model is not None and (not isinstance(model, str) or not model):
        raise TypeError(f"model must be a model folder name (str) or None, not {model!r}")
    report, correctness = _core.score_lm_eval(_path("dir", dir), metric, checked_pivots,
                                              None if task_map is None else _path("task_map", task_map), model,
                                              **_settings(bootstrap, seed, confidence))
    return Report(report, correctness)


def compare(a: str, b: str, data: Optional[PathLike] = None, tasks: Optional[Sequence[str]] = None,
            langs: Optional[Sequence[str]] = None, correction: str = "holm", bootstrap: int = 1000, seed: int = _DEFAULT_SEED,
            confidence: float = 0.95) -> Dict[str, Any]:
    """Two sources of the same questions compared, as `clika compare A B --format json`: per task and language the
    accuracy difference (B - A), the exact McNemar p-value, its adjusted value and a paired-bootstrap interval; per level
    the RA and en-CO differences with bootstrap intervals and p-values.

    a, b: "run:DIR", "model:STEM" (published predictions in `data`) or "lm-eval:DIR"; correction: holm, bh or none.
    """
    for name, source in (("a", a), ("b", b)):
        if not isinstance(source, str) or not source:
            raise TypeError(f"{name} must be a source (str) such as 'model:llama_13b', not {source!r}")
    if correction not in ("holm", "bh", "none"):
        raise ValueError(f"correction={correction!r}: expected 'holm', 'bh' or 'none'")
    return _core.compare(a, b, None if data is None else _path("data", data), _names("tasks", tasks), _names("langs", langs),
                         correction, **_settings(bootstrap, seed, confidence))


def report(sources: Sequence[str], out: PathLike, labels: Optional[Sequence[str]] = None, data: Optional[PathLike] = None,
           tasks: Optional[Sequence[str]] = None, langs: Optional[Sequence[str]] = None, pivot: str = "en",
           bootstrap: int = 1000, seed: int = _DEFAULT_SEED, confidence: float = 0.95) -> str:
    """Writes `clika report SOURCE... --out OUT` (index.html, report.md, each chart as .svg and .csv) and returns the
    path of index.html. sources: up to eight of "run:DIR", "model:STEM" (published predictions in `data`),
    "lm-eval:DIR"; labels: one name per source (default: the models' names); pivot: the language consistency is
    measured towards.
    """
    if isinstance(sources, str) or not all(isinstance(s, str) and s for s in sources):
        raise TypeError(f"sources must be a list of sources (str) such as ['model:llama_13b'], not {sources!r}")
    return str(_core.report(list(sources), _path("out", out), _names("labels", labels), None if data is None else _path("data", data),
                            _names("tasks", tasks), _names("langs", langs), pivot, **_settings(bootstrap, seed, confidence)))


# ---- running a model ------------------------------------------------------------------------------------------------

def run_fictional(data: PathLike, model: str, out: PathLike, langs: Optional[Sequence[str]] = None, mode: str = "both",
                  limit: int = 0, max_new_tokens: int = 64, chunk: int = 64, share_prefix: bool = True,
                  plugin: str = "llamacpp", plugin_paths: Sequence[PathLike] = (), threads: int = 0, ctx: int = 0,
                  batch: int = 0, parallel: int = 0, lora: Optional[PathLike] = None, lora_scale: float = 1.0,
                  settings: Optional[Dict[str, str]] = None) -> Dict[str, int]:
    """The Conductivity level's run, as `clika run --tasks fictional --out OUT` with the same options (English is added
    when `langs` lacks it): the same run directory, resumed when it exists. Score it with `score_run(out)`. Returns
    {"answered": items answered now, "tokens_evaluated": ...}."""
    if not isinstance(mode, str):
        raise TypeError(f"mode must be a str, not {type(mode).__name__}")
    if not isinstance(model, str):
        raise TypeError(f"model must be a str, not {type(model).__name__}")
    if not isinstance(plugin, str):
        raise TypeError(f"plugin must be a str, not {type(plugin).__name__}")
    if not isinstance(share_prefix, bool):
        raise TypeError(f"share_prefix must be a bool, not {type(share_prefix).__name__}")
    given = {} if settings is None else {str(k): str(v) for k, v in settings.items()}
    return _core.run_fictional(_path("data", data), model, _path("out", out), _names("langs", langs) or [], mode,
                               _integer("limit", limit, 0, 2**62), _integer("max_new_tokens", max_new_tokens, 0, 2**62),
                               _integer("chunk", chunk, 0, 2**62), share_prefix, plugin,
                               [_path(f"plugin_paths[{i}]", p) for i, p in enumerate(plugin_paths)],
                               _integer("threads", threads, 0, 2**31 - 1), _integer("ctx", ctx, 0, 2**31 - 1),
                               _integer("batch", batch, 0, 2**31 - 1), _integer("parallel", parallel, 0, 2**31 - 1),
                               "" if lora is None else _path("lora", lora), float(_number("lora_scale", lora_scale)), given)
