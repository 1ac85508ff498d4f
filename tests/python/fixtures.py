"""Inputs the Python tests score: a run directory from published predictions, lm-evaluation-harness samples."""
import json
import os
import shutil


def write_run(run, data, task="x_geo", langs=("en", "de"), model="llama_13b"):
    """A `clika run` directory (without run.json) holding a published model's predictions for `langs` of `task`."""
    shutil.rmtree(run, ignore_errors=True)
    for lang in langs:
        os.makedirs(os.path.join(run, task, lang))
        shutil.copy(os.path.join(data, task, lang, f"{model}_res_bf16_add_simple_example.jsonl"),
                    os.path.join(run, task, lang, "predictions.jsonl"))


def write_lm_eval_samples(root, task="xstorycloze", options=2):
    """Two languages (en, de) of an lm-eval task (xstorycloze, or clika_x_geo ...) in the harness's samples format
    (lm_eval/loggers/evaluation_tracker.py), under root/org__tiny/. In en, doc 0 is right and doc 1 wrong; in de both
    are right."""
    shutil.rmtree(root, ignore_errors=True)
    model = os.path.join(root, "org__tiny")
    os.makedirs(model)

    def sample(doc_id, target, lls):
        acc = 1.0 if max(range(len(lls)), key=lambda i: lls[i]) == target else 0.0
        return json.dumps({"doc_id": doc_id, "doc": {"label": target}, "target": str(target),
                           "arguments": {f"gen_args_{i}": {"arg_0": f"p{doc_id}", "arg_1": f" {c}"} for i, c in enumerate("abcd"[:len(lls)])},
                           "resps": [[[str(ll), "False"]] for ll in lls], "filtered_resps": [[str(ll), "False"] for ll in lls],
                           "filter": "none", "metrics": ["acc"], "doc_hash": "h", "prompt_hash": "h", "target_hash": "h", "acc": acc})
    rest = [-9.0] * (options - 2)
    docs_by_lang = {"en": [(0, 0, [-1.0, -2.0] + rest), (1, 1, [-1.0, -2.0] + rest)],
                    "de": [(0, 0, [-1.5, -2.5] + rest), (1, 1, [-2.0, -1.0] + rest)]}
    for lang, docs in docs_by_lang.items():
        with open(os.path.join(model, f"samples_{task}_{lang}_2024-05-13T12-34-56.123456.jsonl"), "w") as f:
            f.write("".join(sample(*d) + "\n" for d in docs))
