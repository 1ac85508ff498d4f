"""`import clika` with the tests' interpreter (CLIKA_PYTHON): the metrics on hand-computed lists, and reports equal to what
`clika score --format json` prints for the same input (the module and the CLI call the same core functions).

Usage: test_module.py CLIKA_BINARY DATA_DIR WORK_DIR   (PYTHONPATH must hold the built module)
"""
import importlib.util
import inspect
import json
import math
import os
import signal
import subprocess
import tempfile
import sys
import unittest

import clika

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402

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
        self.assertAlmostEqual(ours["levels"]["factual"]["ra"]["en"], 0.7928, places=4)  # a fraction, as in every JSON

    def test_compare_equals_the_cli_json(self):
        ours = clika.compare("model:llama_13b", "model:vicuna_13b_v1.5", data=DATA, tasks=["x_geo"], bootstrap=100, correction="bh")
        self.assertEqual(ours, cli_json("compare", "model:llama_13b", "model:vicuna_13b_v1.5", "--data", DATA, "--tasks", "x_geo",
                                        "--bootstrap", "100", "--correction", "bh"))
        self.assertEqual(len(ours["cells"]), 10)

    def test_report_writes_the_files_the_cli_writes(self):
        with tempfile.TemporaryDirectory() as work:
            sources = ["model:llama_13b", "model:vicuna_13b_v1.5"]
            index = clika.report(sources, os.path.join(work, "py"), labels=["base", "chat"], data=DATA, tasks=["x_geo", "x_name"],
                                 bootstrap=20)
            self.assertEqual(index, os.path.join(work, "py", "index.html"))
            subprocess.run([CLI, "report", *sources, "--label", "base", "--label", "chat", "--data", DATA, "--tasks", "x_geo,x_name",
                            "--bootstrap", "20", "--out", os.path.join(work, "cli")], check=True, capture_output=True)
            names = sorted(os.listdir(os.path.join(work, "cli")))
            self.assertEqual(sorted(os.listdir(os.path.join(work, "py"))), names)
            for name in names:
                with open(os.path.join(work, "py", name), "rb") as a, open(os.path.join(work, "cli", name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), name)

    def test_score_published_with_a_subset_says_what_others_means(self):
        ours = clika.score_published(DATA, "llama_13b", tasks=["x_geo"], langs=["en", "de"], bootstrap=0)
        self.assertEqual(ours, cli_json("score", "--data", DATA, "--model", "llama_13b", "--tasks", "x_geo", "--langs", "en,de",
                                        "--bootstrap", "0"))
        self.assertEqual(ours["settings"]["others_languages"], ["de"])
        self.assertTrue(any("others" in w for w in ours["warnings"]))

    def test_score_run_equals_the_cli_json(self):
        run = os.path.join(WORK, "run")
        fixtures.write_run(run, DATA)
        ours = clika.score_run(run, bootstrap=100)
        self.assertEqual(ours, cli_json("score", "--run", run, "--bootstrap", "100"))
        self.assertTrue(any("no run.json" in w for w in ours["warnings"]))

    def test_score_lm_eval_equals_the_cli_json(self):
        root = os.path.join(WORK, "lm_eval")
        fixtures.write_lm_eval_samples(root)
        ours = clika.score_lm_eval(root, bootstrap=100)
        self.assertEqual(ours, cli_json("score", "--lm-eval-samples", root, "--bootstrap", "100"))
        self.assertEqual(ours["tasks"]["xstorycloze"]["de"]["en_co"], 0.5)

    def test_score_lm_eval_of_clika_tasks_gives_the_paper_tables_and_their_correctness(self):
        root = os.path.join(WORK, "lm_eval_clika")
        fixtures.write_lm_eval_samples(root, task="clika_x_geo", options=4)
        ours = clika.score_lm_eval(root, bootstrap=0)
        self.assertEqual(ours, cli_json("score", "--lm-eval-samples", root, "--bootstrap", "0"))
        self.assertIn("factual", ours["levels"])
        self.assertEqual(ours.correct["x_geo"], {"en": [True, False], "de": [True, True]})
        self.assertEqual(ours, clika.score_lm_eval(root, model="org__tiny", bootstrap=0))

    def test_errors_are_clika_errors_with_the_cli_message(self):
        missing = os.path.join(WORK, "nowhere")
        with self.assertRaises(clika.Error) as caught:
            clika.score_published(missing, "llama_13b", tasks=["x_geo"], langs=["en"])
        self.assertEqual(str(caught.exception), cli_error("score", "--data", missing, "--model", "llama_13b", "--tasks", "x_geo",
                                                          "--langs", "en"))
        self.assertIsInstance(caught.exception, ValueError)
        with self.assertRaisesRegex(clika.Error, 'unknown language "xx"'):
            clika.score_published(DATA, "llama_13b", langs=["xx"])


class ArgumentChecks(unittest.TestCase):
    """Arguments no metric is defined for are refused naming the argument, never turned into a number."""

    def assert_refused(self, kind, argument, call, *args, **kwargs):
        with self.assertRaises(kind) as caught:
            call(*args, **kwargs)
        self.assertIn(argument, str(caught.exception))

    def test_rescaled_accuracy_refuses_what_has_no_rescaled_accuracy(self):
        nan = float("nan")
        self.assert_refused(ValueError, "reference", clika.rescaled_accuracy, 0.3, chance=0.25, reference=0.25)  # was inf
        self.assert_refused(ValueError, "reference", clika.rescaled_accuracy, 0.3, chance=0.5, reference=0.4)
        self.assert_refused(ValueError, "accuracy", clika.rescaled_accuracy, nan, chance=0.25, reference=0.97)  # was 0.0
        self.assert_refused(ValueError, "accuracy", clika.rescaled_accuracy, 1.5, chance=0.25, reference=0.97)
        self.assert_refused(ValueError, "chance", clika.rescaled_accuracy, 0.5, chance=0, reference=0.97)
        self.assert_refused(TypeError, "accuracy", clika.rescaled_accuracy, "0.5", chance=0.25, reference=0.97)
        self.assertEqual(clika.rescaled_accuracy(1, chance=0.25, reference=1), 1.0)

    def test_xrr_refuses_a_chance_outside_0_to_1(self):
        for chance in (1, float("nan"), -1, 1.5):
            self.assert_refused(ValueError, "chance", clika.xrr, [True, True], [True, False], chance=chance)
        self.assertEqual(clika.xrr([True, True], [True, True], chance=0), 1.0)

    def test_outcome_lists_hold_booleans(self):
        self.assert_refused(TypeError, "english[1]", clika.en_co, [1, 2], [1, 0])
        self.assert_refused(TypeError, "other[0]", clika.xrr, [True], [0.5])
        self.assert_refused(TypeError, "english", clika.en_co, "1010", [1, 0, 1, 0])
        self.assertEqual(clika.en_co([1, 0], [True, True]), 0.5)

    def test_rank_c_refuses_scores_that_are_not_finite(self):
        self.assert_refused(ValueError, "pivot_scores[0][1]", clika.rank_c, [[0.0, 1.0]], [[1.0, float("nan")]])

    def test_bootstrap_ci_refuses_nan_and_out_of_range_settings(self):
        self.assert_refused(ValueError, "values[1]", clika.bootstrap_ci, [1.0, float("nan")])  # was (None, None)
        self.assert_refused(ValueError, "values", clika.bootstrap_ci, [])
        self.assert_refused(ValueError, "resamples", clika.bootstrap_ci, [1.0], resamples=0)
        self.assert_refused(ValueError, "confidence", clika.bootstrap_ci, [1.0], confidence=1.0)
        self.assert_refused(TypeError, "seed", clika.bootstrap_ci, [1.0], seed=1.5)

    def test_reports_refuse_bad_settings_naming_them(self):
        self.assert_refused(ValueError, "bootstrap", clika.score_published, DATA, "llama_13b", bootstrap=-1)
        self.assert_refused(ValueError, "confidence", clika.score_published, DATA, "llama_13b", confidence=float("nan"))
        self.assert_refused(TypeError, "tasks[0]", clika.score_published, DATA, "llama_13b", tasks=[1])
        self.assert_refused(TypeError, "run_dir", clika.score_run, 42)
        self.assert_refused(ValueError, "metric", clika.score_lm_eval, WORK, metric="f1")

    def test_a_missing_path_that_is_not_utf8_is_named_in_the_message(self):
        with self.assertRaises(clika.Error) as caught:
            clika.score_run(os.path.join(os.fsencode(WORK), b"nowhere-\xff"))
        self.assertIn("nowhere-", str(caught.exception))  # was an empty message

    def test_a_long_bootstrap_stops_at_ctrl_c(self):
        # A bootstrap of hours: SIGINT must end it with KeyboardInterrupt (the timeout only guards against a hang).
        # (clika._core directly: the signal must land in the compiled loop, not in clika's argument checks)
        code = ("import clika; values = [0.5] * 100000; print('started', flush=True); "
                "clika._core.bootstrap_ci(values, 1000000, 0.95, 1)")
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ))
        self.assertEqual(child.stdout.readline().strip(), "started")
        child.send_signal(signal.SIGINT)
        try:
            _, err = child.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            child.kill()
            self.fail("bootstrap_ci did not stop at SIGINT")
        self.assertNotEqual(child.returncode, 0)
        self.assertIn("KeyboardInterrupt", err)


class NotebookUse(unittest.TestCase):
    def test_every_function_has_a_signature_and_help(self):
        for name in ("rescaled_accuracy", "en_co", "xrr", "rank_c", "bootstrap_ci", "score_published", "score_run", "score_lm_eval"):
            function = getattr(clika, name)
            self.assertTrue(inspect.signature(function).parameters, name)
            self.assertTrue(inspect.getdoc(function), name)
        self.assertEqual(list(inspect.signature(clika.score_published).parameters),
                         ["data", "model", "tasks", "langs", "bootstrap", "seed", "confidence", "reference"])
        stubs = os.path.join(os.path.dirname(clika.__file__), "_core.pyi")
        self.assertTrue(os.path.isfile(stubs), stubs)
        self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(clika.__file__), "py.typed")))

    def test_correctness_vectors_are_what_the_report_counts(self):
        report = clika.score_published(DATA, "llama_13b", tasks=["x_geo", "x_name"], langs=["en", "de", "zh"], bootstrap=0)
        for task in ("x_geo", "x_name"):
            self.assertEqual(sorted(report.correct[task]), ["de", "en", "zh"])
            self.assertEqual(len(report.questions[task]), report["tasks"][task]["en"]["questions"])
            for lang in ("en", "de", "zh"):
                correct = report.correct[task][lang]
                self.assertEqual(sum(correct), report["tasks"][task][lang]["correct"])
                self.assertTrue(all(isinstance(c, bool) for c in correct))
            for lang in ("de", "zh"):  # in English's question order: en-CO from the vectors is the report's
                self.assertAlmostEqual(clika.en_co(report.correct[task]["en"], report.correct[task][lang]),
                                       report["tasks"][task][lang]["en_co"], places=12)

    def test_score_published_with_reference_equals_the_cli(self):
        ours = clika.score_published(DATA, "bloomz_7b1_mt", reference="chatgpt", bootstrap=0)
        self.assertEqual(ours, cli_json("score", "--data", DATA, "--model", "bloomz_7b1_mt", "--reference", "chatgpt", "--bootstrap", "0"))
        self.assertNotEqual(ours, clika.score_published(DATA, "bloomz_7b1_mt", bootstrap=0))

    def test_score_run_gives_correctness_of_the_run(self):
        run = os.path.join(WORK, "run_correctness")
        fixtures.write_run(run, DATA)
        report = clika.score_run(run, bootstrap=0)
        self.assertEqual(sorted(report.correct["x_geo"]), ["de", "en"])
        self.assertEqual(sum(report.correct["x_geo"]["de"]), report["tasks"]["x_geo"]["de"]["correct"])

    @unittest.skipUnless(importlib.util.find_spec("pandas"), "pandas is not installed")
    def test_to_frame_has_a_row_per_task_and_language_with_the_report_numbers(self):
        report = clika.score_published(DATA, "llama_13b", tasks=["x_geo"], langs=["en", "de"], bootstrap=50)
        frame = report.to_frame()
        self.assertEqual(list(zip(frame["task"], frame["lang"])), [("x_geo", "en"), ("x_geo", "de")])
        de = frame[frame["lang"] == "de"].iloc[0]
        cell = report["tasks"]["x_geo"]["de"]
        self.assertEqual(de["accuracy"], cell["accuracy"])
        self.assertEqual([de["ra_low"], de["ra_high"]], cell["ra_ci"])
        self.assertEqual(de["en_co"], cell["en_co"])


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    unittest.main(argv=sys.argv[:1], verbosity=2)
