"""clika as an lm-evaluation-harness model backend: `--model clika` over any clika plugin.

    python -m clika.lm_eval run --model clika --model_args pretrained=model.gguf,plugin=llamacpp,threads=8 --tasks ...

Importing this module registers the model "clika" (lm-eval has no plugin entry points, hence `python -m clika.lm_eval`,
which is lm-eval's own command line with the backend registered; when the run logs samples of CLiKA's tasks, it then
prints clika's paper table of those samples, as `clika score --lm-eval-samples` does).

model_args: pretrained (model file or server URL), plugin (default llamacpp), plugin_path (extra plugin directories,
":"-separated), threads, ctx, batch, parallel, lora, lora_scale, max_length (rolling windows; default one pass's tokens
less one), chunk (requests per call, default 1024), and any setting the plugin declares (`clika plugins`), e.g.
api_key_env=NAME for plugin=openai.

loglikelihood is lm-eval's (sum of log-probabilities, is_greedy) with its context/continuation token split, planned by
clika's engine: a context shared by a document's options is evaluated once, the prefix shared by all contexts of a call
(description, fixed few-shot examples) once per call, many sequences per forward pass. generate_until is greedy.
Contexts are encoded as the model's tokenizer does for a whole text (with BOS where the model adds one).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

if __name__ == "__main__":  # `python -m clika.lm_eval`: registered once, under this module's own name
    from clika.lm_eval import main

    main()
    sys.exit(0)

from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from . import _core

_OWN_ARGS = {"pretrained", "plugin", "plugin_path", "threads", "ctx", "batch", "parallel", "lora", "lora_scale", "max_length", "chunk",
             "max_gen_toks"}
# What lm-eval passes every model besides model_args (its --batch_size, --device): clika plans its own batches and runs
# where its plugin does.
_HARNESS_ARGS = {"batch_size", "max_batch_size", "device"}


def _plugin_dirs(plugin_path: Any) -> List[str]:
    """The directories given, then where `pip install` puts the bundled plugins (next to the module's environment)."""
    dirs = [d for d in str(plugin_path).split(":") if d] if plugin_path else []
    return dirs + [os.path.join(sys.prefix, "lib", "clika", "plugins")]


def _setting_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _cut_at_stops(text: str, until: Sequence[str]) -> str:
    # As lm-eval's own backends do: each stop string in turn cuts what is left.
    for stop in until:
        if stop:
            text = text.split(stop)[0]
    return text


@register_model("clika")
class ClikaLM(LM):
    def __init__(self, pretrained: str, plugin: str = "llamacpp", plugin_path: Any = None, threads: int = 0, ctx: int = 0, batch: int = 0,
                 parallel: int = 0, lora: Any = None, lora_scale: float = 1.0, max_length: int = 0, chunk: int = 1024, max_gen_toks: int = 256,
                 **settings: Any) -> None:
        super().__init__()
        for name in _HARNESS_ARGS:
            settings.pop(name, None)
        if int(chunk) < 1:
            raise ValueError(f"model_args chunk={chunk}: at least 1 request per call")
        self.chunk = int(chunk)
        self.max_length = int(max_length)
        self.max_gen_toks = int(max_gen_toks)
        self.model = _core.Model(str(pretrained), plugin=str(plugin), plugin_paths=_plugin_dirs(plugin_path), threads=int(threads), ctx=int(ctx),
                                 batch=int(batch), parallel=int(parallel), lora=str(lora) if lora else "", lora_scale=float(lora_scale),
                                 settings={k: _setting_text(v) for k, v in settings.items()}, max_new_tokens=self.max_gen_toks)

    def _chunks(self, items: List[Any], what: str, disable_tqdm: bool):
        from tqdm import tqdm

        with tqdm(total=len(items), desc=f"clika {what}", disable=disable_tqdm or self.rank != 0) as bar:
            for start in range(0, len(items), self.chunk):
                part = items[start:start + self.chunk]
                yield part
                bar.update(len(part))

    def loglikelihood(self, requests, disable_tqdm: bool = False) -> List[Tuple[float, bool]]:
        pairs = [tuple(req.args[:2]) for req in requests]
        out: List[Tuple[float, bool]] = []
        for part in self._chunks(pairs, "loglikelihood", disable_tqdm):
            out.extend(self.model.loglikelihood(part))
        for req, result in zip(requests, out):
            self.cache_hook.add_partial("loglikelihood", req.args, result)
        return out

    def loglikelihood_rolling(self, requests, disable_tqdm: bool = False) -> List[float]:
        texts = [req.args[0] for req in requests]
        out: List[float] = []
        for part in self._chunks(texts, "loglikelihood_rolling", disable_tqdm):
            out.extend(self.model.loglikelihood_rolling(part, max_length=self.max_length))
        for req, result in zip(requests, out):
            self.cache_hook.add_partial("loglikelihood_rolling", (req.args[0],), result)
        return out

    def generate_until(self, requests, disable_tqdm: bool = False) -> List[str]:
        # Requests with the same stop strings and length are generated together, many sequences per pass.
        groups: Dict[Tuple[Tuple[str, ...], int], List[int]] = {}
        for i, req in enumerate(requests):
            gen_kwargs = dict(req.args[1]) if len(req.args) > 1 else {}
            until = gen_kwargs.pop("until", None) or []
            if isinstance(until, str):
                until = [until]
            max_tokens = int(gen_kwargs.pop("max_gen_toks", self.max_gen_toks))
            if gen_kwargs.get("do_sample") or float(gen_kwargs.get("temperature", 0.0) or 0.0) > 0.0:
                raise ValueError("clika generates greedily: do_sample=True or temperature > 0 is not supported")
            groups.setdefault((tuple(until), max_tokens), []).append(i)
        out: List[str] = [""] * len(requests)
        for (until, max_tokens), members in groups.items():
            for part in self._chunks(members, "generate_until", disable_tqdm):
                texts = self.model.generate([requests[i].args[0] for i in part], max_tokens, stop=list(until))
                for i, text in zip(part, texts):
                    out[i] = _cut_at_stops(text, until)
                    self.cache_hook.add_partial("generate_until", requests[i].args, out[i])
        return out


# samples_<task>_<date>.jsonl of a CLiKA task (examples/lm_eval_tasks: clika_<task>_<lang>)
_CLIKA_SAMPLES = re.compile(r"samples_clika_x_(copa|csqa|geo|name)_[a-z]{2}_")


def _samples_root(args: Any) -> Optional[Path]:
    """Where `lm_eval run` writes its samples (lm-eval's EvaluationTracker: OUTPUT_PATH/<model>/, or beside a .json
    OUTPUT_PATH); None for other commands or without an output path."""
    if getattr(args, "command", None) != "run":
        return None
    output = getattr(args, "output_path", None)
    if not output and getattr(args, "config", None):
        from lm_eval.config.evaluate_config import EvaluatorConfig

        output = EvaluatorConfig.load_yaml_config(args.config).get("output_path")
    if not output:
        return None
    root = Path(output)
    return root.parent if root.suffix == ".json" else root


def _samples_files(root: Optional[Path]) -> Dict[Path, Tuple[int, int]]:
    if root is None or not root.is_dir():
        return {}
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("samples_*.jsonl") if p.is_file()}


def _print_paper_table(written: Sequence[Path]) -> None:
    """The paper's tables of the samples files just written, as `clika score --lm-eval-samples` prints them, when they
    are of CLiKA's tasks (examples/lm_eval_tasks). Only these files are scored, never an older run beside them."""
    if not any(_CLIKA_SAMPLES.match(p.name) for p in written):
        return
    folders = sorted({p.parent for p in written})
    with tempfile.TemporaryDirectory(prefix="clika-lm-eval-") as tmp:
        for folder in folders:
            os.makedirs(os.path.join(tmp, folder.name), exist_ok=True)
        for p in written:
            os.symlink(p.resolve(), os.path.join(tmp, p.parent.name, p.name))
        try:
            tables = [_core.lm_eval_paper_table(tmp, model=folder.name) for folder in folders]
        except _core.Error as e:
            print(f"clika.lm_eval: no paper table of the samples just written: {e}", file=sys.stderr)
            sys.exit(2)
    for folder, table in zip(folders, tables):
        if table is not None:
            print(f"\nclika: the paper's tables from the {sum(p.parent == folder for p in written)} samples files just written in {folder}")
            print(table, end="")


def main(argv: Sequence[str] = ()) -> None:
    """lm-eval's own command line (lm_eval/__main__.py) with the "clika" model registered; then, where the run wrote
    samples of CLiKA's tasks (--log_samples), clika's paper table of them."""
    from lm_eval._cli import HarnessCLI
    from lm_eval.utils import setup_logging

    if argv:
        sys.argv = [sys.argv[0], *argv]
    setup_logging()
    parser = HarnessCLI()
    args = parser.parse_args()
    root = _samples_root(args)
    before = _samples_files(root)
    parser.execute(args)
    _print_paper_table(sorted(p for p, stamp in _samples_files(root).items() if before.get(p) != stamp))
