"""clika as an lm-evaluation-harness backend, on a tiny F32 model made by `clika make-model`, offline.

Model: clika._core.Model alone (no lm-eval needed): the planned, prefix-sharing scores equal the plugin's unshared
reference path, lm-eval's token split, rolling windows, greedy generation with stop strings.
Harness: lm-eval itself (PyPI's lm-eval) runs `--model clika` through `python -m clika.lm_eval` on local tasks; every
loglikelihood it wrote equals the reference path within 1e-4 nats with the same is_greedy, and generate_until equals the
plugin's greedy decoding.
ClikaTasks: lm-eval runs CLiKA's own task YAMLs (examples/lm_eval_tasks) with `--model clika` on the CLiKA data; the
table `python -m clika.lm_eval` prints after the run is the one `clika score --lm-eval-samples` prints, whose per-task
accuracies are lm-eval's own.
Harness and ClikaTasks exit 77 (skipped) when lm-eval is not installed in this interpreter (CMake's CLIKA_LM_EVAL_PYTHON).

Usage: test_lm_eval.py {Model|Harness|ClikaTasks} CLIKA_BINARY PLUGIN_DIR WORK_DIR [DATA_DIR]
       (PYTHONPATH must hold the built module)
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import unittest

import clika
from clika import _core

SUITE, CLI, PLUGIN_DIR, WORK = sys.argv[1:5]
DATA = sys.argv[5] if len(sys.argv) > 5 else None
CLIKA_TASK_YAMLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "lm_eval_tasks")
MODEL = os.path.join(WORK, "tiny-f32.gguf")
NATS = 1e-4

FEWSHOT = "Answer each question with one word.\n\nQuestion: What colour is the sky?\nAnswer: blue\n\n"
DOCS = [("What do cows drink?", ["milk", "water", "juice", "tea"], 1),
        ("Where is Paris?", ["in France", "in Spain", "on the Moon"], 0),
        ("What is two plus two?", ["four", "five", "twenty two"], 0)]


def open_model(**kwargs):
    return _core.Model(MODEL, plugin="llamacpp", plugin_paths=[PLUGIN_DIR], threads=2, **kwargs)


def requests():
    """A few-shot prefix every context shares, each document's options sharing its context, a context ending in a space,
    an empty context and a repeated request."""
    out = []
    for question, options, _ in DOCS:
        out += [(f"{FEWSHOT}Question: {question}\nAnswer:", " " + o) for o in options]
    return out + [("The cat sat on the ", "mat"), ("", "Hello world"), out[0]]


class Model(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = open_model()
        cls.reference = open_model()

    def assert_scores_equal(self, got, want):
        self.assertEqual(len(got), len(want))
        for i, ((ll, greedy), (ref_ll, ref_greedy)) in enumerate(zip(got, want)):
            self.assertLess(abs(ll - ref_ll), NATS, f"request {i}: {ll} vs the reference's {ref_ll}")
            self.assertEqual(greedy, ref_greedy, f"request {i}: is_greedy")

    def test_planned_scores_equal_the_unshared_reference_path(self):
        before, before_ref = self.model.info["tokens_evaluated"], self.reference.info["tokens_evaluated"]
        got = self.model.loglikelihood(requests())
        self.assert_scores_equal(got, self.reference.loglikelihood(requests(), share_prefix=False))
        # Planned: each context once for all its options, not once per option.
        planned, unshared = self.model.info["tokens_evaluated"] - before, self.reference.info["tokens_evaluated"] - before_ref
        self.assertLess(planned * 2, unshared)
        self.assertEqual(got[0], got[-1])  # the same request twice

    def test_scores_fit_small_passes_and_few_sequences(self):
        # Four options per context but two sequences per pass; contexts longer than a pass of 24 tokens.
        small = open_model(batch=24, parallel=2)
        self.assert_scores_equal(small.loglikelihood(requests()), self.reference.loglikelihood(requests(), share_prefix=False))

    def test_trailing_whitespace_of_the_context_joins_the_continuation(self):
        a, b = self.model.loglikelihood([("The cat sat on the ", "mat"), ("The cat sat on the", " mat")], share_prefix=False)
        self.assertEqual(a, b)

    def test_an_empty_continuation_is_refused(self):
        with self.assertRaisesRegex(clika.Error, "empty continuation"):
            self.model.loglikelihood([("context", "")])

    def test_a_rolling_loglikelihood_in_one_window_is_the_text_after_bos(self):
        text = "The quick brown fox jumps over the lazy dog."
        [whole] = self.model.loglikelihood_rolling([text])
        [(after_bos, _)] = self.reference.loglikelihood([("", text)], share_prefix=False)
        self.assertLess(abs(whole - after_bos), NATS)
        # Windows of 3 tokens see less context: another number, the same on the reference path.
        [windowed] = self.model.loglikelihood_rolling([text], max_length=3)
        [windowed_ref] = self.reference.loglikelihood_rolling([text], max_length=3, share_prefix=False)
        self.assertLess(abs(windowed - windowed_ref), NATS)
        self.assertGreater(abs(windowed - whole), 1e-3)

    def test_generation_is_greedy_and_stops_after_a_stop_string(self):
        contexts = [FEWSHOT + "Question: " + q + "\nAnswer:" for q, _, _ in DOCS]
        full = self.model.generate(contexts, 10)
        self.assertTrue(all(full))
        self.assertEqual(full, self.reference.generate(contexts, 10, share_prefix=False))
        # Independently: each step's argmax read from a fresh unshared scoring of the prompt and the tokens so far.
        self.assertEqual(full, self.reference.generate(contexts, 10, share_prefix=False, rescore=True))
        # Stopping at a stop string: the generation ends with the token that completed it.
        stop = full[0][1:3]
        [stopped] = self.model.generate(contexts[:1], 10, stop=[stop])
        self.assertIn(stop, stopped)
        self.assertTrue(full[0].startswith(stopped))
        self.assertLess(len(stopped), len(full[0]))


def offline_env(**extra):
    return dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_DATASETS_CACHE=os.path.join(WORK, "hf_cache"), **extra)


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def write_tasks(root):
    """A plain multiple-choice task and a generation task, not CLiKA's, on local JSON files."""
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "mc.jsonl"), "w") as f:
        for question, options, label in DOCS:
            f.write(json.dumps({"question": question, "choices": options, "label": label}) + "\n")
    with open(os.path.join(root, "tiny_mc.yaml"), "w") as f:
        f.write(f"""task: clika_tiny_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: {os.path.join(root, "mc.jsonl")}
test_split: test
output_type: multiple_choice
description: {json.dumps(FEWSHOT)}
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_target: label
doc_to_choice: choices
metric_list:
  - metric: acc
""")
    with open(os.path.join(root, "tiny_gen.yaml"), "w") as f:
        f.write(f"""task: clika_tiny_gen
dataset_path: json
dataset_kwargs:
  data_files:
    test: {os.path.join(root, "mc.jsonl")}
test_split: test
output_type: generate_until
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_target: "{{{{choices[label]}}}}"
generation_kwargs:
  until: ["\\n", "."]
  max_gen_toks: 8
  do_sample: false
metric_list:
  - metric: exact_match
""")


class Harness(unittest.TestCase):
    def test_lm_eval_runs_model_clika_with_reference_loglikelihoods_and_greedy_generations(self):
        tasks, out = os.path.join(WORK, "tasks"), os.path.join(WORK, "lm_eval_out")
        shutil.rmtree(out, ignore_errors=True)
        write_tasks(tasks)
        env = offline_env()
        args = [sys.executable, "-m", "clika.lm_eval", "run", "--model", "clika", "--model_args",
                f"pretrained={MODEL},plugin_path={PLUGIN_DIR},threads=2", "--tasks", "clika_tiny_mc,clika_tiny_gen",
                "--include_path", tasks, "--output_path", out, "--log_samples"]
        run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
        self.assertEqual(run.returncode, 0, run.stdout[-3000:] + run.stderr[-3000:])
        self.assertNotIn("paper's tables", run.stdout)  # tasks that are not CLiKA's: lm-eval's output alone

        reference = open_model()
        [mc] = glob.glob(os.path.join(out, "**", "samples_clika_tiny_mc_*.jsonl"), recursive=True)
        samples = read_jsonl(mc)
        self.assertEqual(len(samples), len(DOCS))
        for s in samples:
            pairs = [(a["arg_0"], a["arg_1"]) for a in s["arguments"].values()]
            want = reference.loglikelihood(pairs, share_prefix=False)
            for (ll, greedy), (ref_ll, ref_greedy) in zip([r[0] for r in s["resps"]], want):
                self.assertLess(abs(float(ll) - ref_ll), NATS, f"doc {s['doc_id']}")
                self.assertEqual(str(greedy) == "True", ref_greedy, f"doc {s['doc_id']}")

        [gen] = glob.glob(os.path.join(out, "**", "samples_clika_tiny_gen_*.jsonl"), recursive=True)
        for s in read_jsonl(gen):
            context = s["arguments"]["gen_args_0"]["arg_0"]
            [text] = reference.generate([context], 8, share_prefix=False)
            want = text.split("\n")[0].split(".")[0]
            self.assertEqual(s["resps"][0][0], want, f"doc {s['doc_id']}")


CLIKA_TASKS = [f"clika_{task}_{lang}" for task in ("x_copa", "x_csqa", "x_geo", "x_name") for lang in ("en", "zh", "de")]


class ClikaTasks(unittest.TestCase):
    def test_clika_task_yamls_run_under_model_clika_and_give_the_papers_table(self):
        out = os.path.join(WORK, "lm_eval_out")
        shutil.rmtree(out, ignore_errors=True)
        args = [sys.executable, "-m", "clika.lm_eval", "run", "--model", "clika", "--model_args",
                f"pretrained={MODEL},plugin_path={PLUGIN_DIR},threads=2", "--tasks", ",".join(CLIKA_TASKS),
                "--include_path", CLIKA_TASK_YAMLS, "--limit", "4", "--output_path", out, "--log_samples"]
        run = subprocess.run(args, env=offline_env(CLIKA_DATA=DATA), capture_output=True, text=True, timeout=900)
        self.assertEqual(run.returncode, 0, run.stdout[-3000:] + run.stderr[-3000:])
        [results_file] = glob.glob(os.path.join(out, "*", "results_*.json"))
        with open(results_file) as f:
            harness = json.load(f)["results"]
        self.assertEqual(sorted(harness), sorted(CLIKA_TASKS))

        score = subprocess.run([CLI, "score", "--lm-eval-samples", out], capture_output=True, text=True)
        self.assertEqual(score.returncode, 0, score.stderr)
        for row in ("Basic RA", "Factual RA", "en-CO (Factual)", "others"):
            self.assertIn(row, score.stdout)
        # `python -m clika.lm_eval` printed that very table after lm-eval's own.
        self.assertIn("paper's tables from the 12 samples files just written", run.stdout)
        self.assertTrue(run.stdout.endswith(score.stdout), run.stdout[-3000:])

        report = json.loads(subprocess.run([CLI, "score", "--lm-eval-samples", out, "--format", "json", "--bootstrap", "0"],
                                           capture_output=True, text=True, check=True).stdout)
        for name in CLIKA_TASKS:
            task, lang = name[len("clika_"):-3], name[-2:]
            cell = report["tasks"][task][lang]
            self.assertEqual(cell["questions"], 4, name)
            self.assertAlmostEqual(cell["accuracy"], harness[name]["acc,none"], delta=1e-12, msg=name)
        for level in ("basic", "factual"):
            for column in ("en", "zh", "others"):
                self.assertIsNotNone(report["levels"][level]["ra"][column], f"{level} RA {column}")


if __name__ == "__main__":
    if SUITE in ("Harness", "ClikaTasks"):
        try:
            import lm_eval  # noqa: F401
        except ImportError:
            print(f"skipped: lm-eval is not installed in {sys.executable}: configure with "
                  "-DCLIKA_LM_EVAL_PYTHON=build/venv-lmeval/bin/python after scripts/python-venv.sh build/venv-lmeval lm-eval")
            sys.exit(77)
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(MODEL):
        subprocess.run([CLI, "make-model", "--out", MODEL, "--seed", "1", "--type", "f32"], check=True, capture_output=True)
    unittest.main(argv=[sys.argv[0], SUITE], verbosity=2)
