"""`import clika` with Debian's /usr/bin/python3: the metrics on hand-computed lists, and reports equal to what
`clika score --format json` prints for the same input (the module and the CLI call the same core functions).

Usage: test_module.py CLIKA_BINARY DATA_DIR WORK_DIR   (PYTHONPATH must hold the built module)
"""
import json
import math
import os
import shutil
import subprocess
import sys
import unittest

import clika

CLI, DATA, WORK = sys.argv[1], sys.argv[2], sys.argv[3]


def cli_json(*args):
    out = subprocess.run([CLI, *args, "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def cli_error(*args):
    out = subprocess.run([CLI, *args], capture_output=True, text=True)
    assert out.returncode == 2, out
    prefix = "clika: error: "
    assert out.stderr.startswith(prefix), out.stderr
    return out.stderr[len(prefix):].strip()


class Metrics(unittest.TestCase):
    def test_rescaled_accuracy_is_the_share_of_the_distance_above_chance(self):
        self.assertAlmostEqual(clika.rescaled_accuracy(0.6, 0.25, 0.97), 0.35 / 0.72, places=15)
        self.assertEqual(clika.rescaled_accuracy(0.2, 0.25, 0.97), 0.0)  # below chance floors at 0

    def test_en_co_counts_correct_in_x_that_are_correct_in_english(self):
        # correct in X: questions 0, 2, 3; of those correct in English too: 0, 3
        self.assertAlmostEqual(clika.en_co([True, True, False, True], [True, False, True, True]), 2 / 3, places=15)
        self.assertIsNone(clika.en_co([True, True], [False, False]))

    def test_xrr_is_zero_at_chance_and_rescaled_above_it(self):
        # c(en) = 3, c(en and X) = 2: (2/3 - 0.05) / 0.95
        self.assertAlmostEqual(clika.xrr([True, True, True, False], [True, False, True, True]), (2 / 3 - 0.05) / 0.95, places=15)
        self.assertEqual(clika.xrr([True] * 20, [True] + [False] * 19), 0.0)
        self.assertIsNone(clika.xrr([False, False], [True, True]))

    def test_rank_c_is_one_for_equal_rankings_and_weights_disagreement_by_softmax(self):
        self.assertAlmostEqual(clika.rank_c([[0.1, 0.5, 0.2]], [[1.0, 3.0, 2.0]]), 1.0, places=15)
        # Two options ranked oppositely: weights softmax([2, 1]) = [e/(e+1), 1/(e+1)]; top-1 sets disjoint, top-2 equal.
        self.assertAlmostEqual(clika.rank_c([[0.0, 1.0]], [[1.0, 0.0]]), 1 / (math.e + 1), places=12)
        with self.assertRaisesRegex(clika.Error, "question 0 has 2 option scores and 3 in the pivot"):
            clika.rank_c([[0.0, 1.0]], [[1.0, 0.0, 2.0]])

    def test_bootstrap_ci_brackets_the_mean_and_is_reproducible(self):
        values = [1.0, 0.0] * 50
        low, high = clika.bootstrap_ci(values, resamples=500, seed=7)
        self.assertLess(low, 0.5)
        self.assertGreater(high, 0.5)
        self.assertGreaterEqual(low, 0.0)
        self.assertLessEqual(high, 1.0)
        self.assertEqual((low, high), clika.bootstrap_ci(values, resamples=500, seed=7))
        self.assertNotEqual((low, high), clika.bootstrap_ci(values, resamples=500, seed=8))
        self.assertEqual(clika.bootstrap_ci([0.25] * 10), (0.25, 0.25))

    def test_lists_of_different_lengths_are_refused(self):
        with self.assertRaisesRegex(clika.Error, "english has 2 questions and other 1"):
            clika.en_co([True, False], [True])


class Reports(unittest.TestCase):
    def test_score_published_equals_the_cli_json(self):
        ours = clika.score_published(DATA, "llama_13b", bootstrap=200)
        self.assertEqual(ours, cli_json("score", "--data", DATA, "--model", "llama_13b", "--bootstrap", "200"))
        # The paper's Table 5 number for LLaMA-13B, as the CLI test checks it.
        self.assertAlmostEqual(ours["levels"]["factual"]["ra"]["en"], 79.28, places=2)

    def test_score_published_with_a_subset_says_what_others_means(self):
        ours = clika.score_published(DATA, "llama_13b", tasks=["x_geo"], langs=["en", "de"], bootstrap=0)
        self.assertEqual(ours, cli_json("score", "--data", DATA, "--model", "llama_13b", "--tasks", "x_geo", "--langs", "en,de",
                                        "--bootstrap", "0"))
        self.assertEqual(ours["settings"]["others_languages"], ["de"])
        self.assertTrue(any("others" in w for w in ours["warnings"]))

    def test_score_run_equals_the_cli_json(self):
        run = os.path.join(WORK, "run")
        shutil.rmtree(run, ignore_errors=True)
        for folder in ("en", "de"):
            os.makedirs(os.path.join(run, "x_geo", folder))
            shutil.copy(os.path.join(DATA, "x_geo", folder, "llama_13b_res_bf16_add_simple_example.jsonl"),
                        os.path.join(run, "x_geo", folder, "predictions.jsonl"))
        ours = clika.score_run(run, bootstrap=100)
        self.assertEqual(ours, cli_json("score", "--run", run, "--bootstrap", "100"))
        self.assertTrue(any("no run.json" in w for w in ours["warnings"]))

    def test_score_lm_eval_equals_the_cli_json(self):
        # Two xstorycloze languages in the harness's samples format (lm_eval/loggers/evaluation_tracker.py).
        root = os.path.join(WORK, "lm_eval")
        shutil.rmtree(root, ignore_errors=True)
        model = os.path.join(root, "org__tiny")
        os.makedirs(model)

        def sample(doc_id, target, lls):
            acc = 1.0 if max(range(len(lls)), key=lambda i: lls[i]) == target else 0.0
            return json.dumps({"doc_id": doc_id, "doc": {"label": target}, "target": str(target),
                               "arguments": {f"gen_args_{i}": {"arg_0": f"p{doc_id}", "arg_1": f" {c}"} for i, c in enumerate("ab")},
                               "resps": [[[str(ll), "False"]] for ll in lls], "filtered_resps": [[str(ll), "False"] for ll in lls],
                               "filter": "none", "metrics": ["acc"], "doc_hash": "h", "prompt_hash": "h", "target_hash": "h", "acc": acc})
        for lang, docs in {"en": [(0, 0, [-1.0, -2.0]), (1, 1, [-1.0, -2.0])], "de": [(0, 0, [-1.5, -2.5]), (1, 1, [-2.0, -1.0])]}.items():
            with open(os.path.join(model, f"samples_xstorycloze_{lang}_2024-05-13T12-34-56.123456.jsonl"), "w") as f:
                f.write("".join(sample(*d) + "\n" for d in docs))
        ours = clika.score_lm_eval(root, bootstrap=100)
        self.assertEqual(ours, cli_json("score", "--lm-eval-samples", root, "--bootstrap", "100"))
        self.assertEqual(ours["tasks"]["xstorycloze"]["de"]["en_co"], 0.5)

    def test_errors_are_clika_errors_with_the_cli_message(self):
        missing = os.path.join(WORK, "nowhere")
        with self.assertRaises(clika.Error) as caught:
            clika.score_published(missing, "llama_13b", tasks=["x_geo"], langs=["en"])
        self.assertEqual(str(caught.exception), cli_error("score", "--data", missing, "--model", "llama_13b", "--tasks", "x_geo",
                                                          "--langs", "en"))
        self.assertIsInstance(caught.exception, ValueError)
        with self.assertRaisesRegex(clika.Error, 'unknown language "xx"'):
            clika.score_published(DATA, "llama_13b", langs=["xx"])


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=sys.argv[:1], verbosity=2)
