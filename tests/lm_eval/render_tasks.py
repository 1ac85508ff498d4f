#!/usr/bin/env python3
"""The lm-evaluation-harness task YAMLs of examples/lm_eval_tasks render the paper's prompts byte for byte.

    build/venv/bin/python tests/lm_eval/render_tasks.py --clika build/bin/clika --data ../shared/clika-data

The harness itself is not installable here, so this does what it does with a task YAML (lm_eval/tasks/_yaml_loader.py,
lm_eval/api/task.py, lm_eval/utils.py of EleutherAI/lm-evaluation-harness): loads each YAML resolving `include:` and
`!function`, calls the task's `custom_dataset` with its metadata (plus `clika_data`, as `--metadata` would add it) and
its `dataset_kwargs`, and renders doc_to_text / doc_to_choice / doc_to_target in a Jinja environment configured like
the harness's. Every rendered prompt must equal `clika prompts --shots 1` for that task and language, and the target
must pick the gold option. Needs jinja2 and pyyaml (the tests' venv: scripts/python-venv.sh).
"""

import argparse
import ast
import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import jinja2
import yaml

sys.dont_write_bytecode = True  # importing the tasks' utils.py must not leave __pycache__ in the source tree

REPO = Path(__file__).resolve().parents[2]
TASKS_DIR = REPO / "examples" / "lm_eval_tasks"
TASKS = ["x_copa", "x_csqa", "x_geo", "x_name"]
LANGS = ["en", "de", "fr", "it", "pl", "ru", "ar", "he", "ja", "zh"]

# lm_eval/utils.py builds exactly this environment for every template.
JINJA = jinja2.Environment(loader=jinja2.BaseLoader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
JINJA.filters["regex_replace"] = lambda string, pattern, repl, count=0: re.sub(pattern, repl, string, count=count)


@functools.lru_cache(maxsize=None)
def compiled(template):
    return JINJA.from_string(template)


def apply_template(template, doc):
    return compiled(template).render(**doc)  # the harness compiles per call; caching changes only the time


# --- YAML loading as lm_eval/tasks/_yaml_loader.py::load_yaml does it --------------------------------------------

def import_function(yaml_dir, qualified):
    module_name, _, function_name = qualified.rpartition(".")
    path = yaml_dir / f"{module_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function_name)


def load_yaml(path):
    path = path.resolve()

    class Loader(yaml.FullLoader):
        pass

    Loader.add_constructor("!function", lambda loader, node: import_function(path.parent, loader.construct_scalar(node)))
    with path.open("rb") as f:
        cfg = yaml.load(f, Loader=Loader)  # noqa: S506 - !function is the harness's own tag
    if "include" not in cfg:
        return cfg
    includes = cfg.pop("include")
    merged = {}
    for inc in includes if isinstance(includes, list) else [includes]:
        merged.update(load_yaml(path.parent / inc))
    merged.update(cfg)  # the including file's keys win, a shallow update
    return merged


# --- Datasets: the real library if present, else the part of it the harness touches -------------------------------

def type_shape(value):
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, type_shape(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", frozenset(type_shape(v) for v in value))
    return type(value).__name__


def datasets_stand_in():
    """datasets.Dataset.from_list as far as these tasks use it: columns are the first record's keys (missing values
    become None), and a column must have one shape in every record, or Arrow would refuse or coerce it."""

    class Dataset(list):
        @classmethod
        def from_list(cls, mapping, split=None):
            columns = list(mapping[0]) if mapping else []
            for column in columns:
                shapes = {type_shape(r.get(column)) for r in mapping}
                if len(shapes) > 1:
                    raise TypeError(f"column {column!r} has {len(shapes)} different types; Arrow cannot store it as is")
            out = cls({c: r.get(c) for c in columns} for r in mapping)
            out.column_names = columns
            return out

    module = types.ModuleType("datasets")
    module.Dataset = Dataset
    module.Split = types.SimpleNamespace(TRAIN="train", VALIDATION="validation", TEST="test")
    return module


def ensure_datasets():
    try:
        import datasets  # noqa: F401
    except ImportError:
        sys.modules["datasets"] = datasets_stand_in()


def docs_and_features(split):
    if hasattr(split, "features"):  # the real datasets.Dataset
        return [dict(row) for row in split], list(split.features.keys())
    return list(split), split.column_names


# --- doc_to_* as lm_eval/api/task.py::ConfigurableTask renders them -----------------------------------------------

def doc_to_text(cfg, doc, features):
    template = cfg["doc_to_text"]
    if template in features:
        return doc[template]
    text = apply_template(template, doc)
    return ast.literal_eval(text) if text.isdigit() and cfg.get("doc_to_choice") is not None else text


def doc_to_target(cfg, doc, features):
    template = cfg["doc_to_target"]
    if isinstance(template, int):
        return template
    if template in features:
        return doc[template]
    text = apply_template(template, doc)
    return ast.literal_eval(text) if text.isdigit() and cfg.get("doc_to_choice") is not None else text


def doc_to_choice(cfg, doc, features):
    choice = cfg["doc_to_choice"]
    if isinstance(choice, list):
        return choice
    if isinstance(choice, dict):
        return list(choice.values())
    if choice in features:
        return doc[choice]
    return ast.literal_eval(apply_template(choice, doc))


# --- The checks -------------------------------------------------------------------------------------------------------

class Failures(list):
    def add(self, message):
        self.append(message)
        print(f"FAIL: {message}", file=sys.stderr)


def first_difference(a, b):
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at character {at}: lm-eval {a[max(0, at - 30):at + 30]!r} vs clika {b[max(0, at - 30):at + 30]!r}"


def clika_prompts(clika, data, task, lang):
    out = subprocess.run([clika, "prompts", "--data", data, "--task", task, "--lang", lang, "--shots", "1"],
                         check=True, capture_output=True)
    return [json.loads(line) for line in out.stdout.decode("utf-8").splitlines()]


def load_configs(failures):
    tasks, groups = {}, {}
    for path in sorted(TASKS_DIR.rglob("*.yaml")):
        cfg = load_yaml(path)
        if "group" in cfg:
            groups[cfg["group"]] = cfg["task"]
        elif "task" in cfg:
            if cfg["task"] in tasks:
                failures.add(f"{path}: task {cfg['task']} defined twice")
            tasks[cfg["task"]] = cfg
        else:
            failures.add(f"{path}: neither a task nor a group")
    return tasks, groups


def check_names(tasks, groups, failures):
    wanted = {f"clika_{t}_{l}" for t in TASKS for l in LANGS}
    if set(tasks) != wanted:
        failures.add(f"task names: missing {sorted(wanted - set(tasks))}, unexpected {sorted(set(tasks) - wanted)}")
    wanted_groups = {f"clika_{t}": [f"clika_{t}_{l}" for l in LANGS] for t in TASKS} | {"clika": [f"clika_{t}" for t in TASKS]}
    if groups != wanted_groups:
        failures.add(f"groups are {groups}, expected {wanted_groups}")


def render_task(name, cfg, data, clika, failures):
    task, lang = re.fullmatch(r"clika_(x_[a-z]+)_([a-z]{2})", name).groups()
    if cfg.get("output_type") != "multiple_choice":
        failures.add(f"{name}: output_type {cfg.get('output_type')!r}, expected multiple_choice")
    metadata = dict(cfg.get("metadata") or {}) | {"clika_data": data}  # what `--metadata '{"clika_data": ...}'` adds
    dataset = cfg["custom_dataset"](**metadata, **(cfg.get("dataset_kwargs") or {}))
    docs, features = docs_and_features(dataset[cfg["test_split"]])
    expected = clika_prompts(clika, data, task, lang)
    if len(docs) != len(expected):
        failures.add(f"{name}: {len(docs)} docs but clika prints {len(expected)} prompts")
    delimiter = cfg.get("target_delimiter", " ")
    wrong = 0
    for i, (doc, want) in enumerate(zip(docs, expected)):
        context = doc_to_text(cfg, doc, features)
        choices = doc_to_choice(cfg, doc, features)
        target = doc_to_target(cfg, doc, features)
        # The requests lm-eval sends for this doc: (context, target_delimiter + choice) per choice.
        requests = [(context, delimiter + c) for c in choices]
        problem = None
        if not isinstance(context, str) or context.encode("utf-8") != want["input"].encode("utf-8"):
            problem = f"prompt differs; {first_difference(str(context), want['input'])}"
        elif context != context.rstrip() or any(not c.startswith(" ") or c[1:] != c[1:].lstrip() for _, c in requests):
            # lm-eval moves a context's trailing whitespace into the continuation; a continuation that does not start
            # with one space would merge with the prompt's last ":" on Llama 3 / Qwen 2 vocabularies (":A" is one token)
            # and leave lm-eval an empty continuation to score.
            problem = f"requests {requests} are not (prompt ending in \"Answer:\", \" \" + letter)"
        elif not isinstance(target, int) or not 0 <= target < len(choices):
            problem = f"target {target!r} is not an index into {choices}"
        elif requests[target][1].strip() != want["label"]:
            problem = f"gold continuation {requests[target][1]!r}, clika's label is {want['label']!r}"
        if problem:
            wrong += 1
            if wrong <= 3:
                failures.add(f"{name} doc {i}: {problem}")
    if wrong > 3:
        failures.add(f"{name}: {wrong} docs wrong in all")
    return min(len(docs), len(expected)) - wrong


def check_data_folder_sources(tasks, data, failures):
    """The data folder comes from metadata's clika_data, else $CLIKA_DATA, else a message naming both."""
    cfg = tasks["clika_x_geo_de"]
    kwargs = dict(cfg.get("metadata") or {}) | cfg["dataset_kwargs"]
    saved = os.environ.pop("CLIKA_DATA", None)
    try:
        try:
            cfg["custom_dataset"](**kwargs)
            failures.add("custom_dataset without clika_data or CLIKA_DATA did not fail")
        except ValueError as e:
            if "clika_data" not in str(e) or "CLIKA_DATA" not in str(e):
                failures.add(f"missing data folder message does not name clika_data and CLIKA_DATA: {e}")
        os.environ["CLIKA_DATA"] = data
        from_env = docs_and_features(cfg["custom_dataset"](**kwargs)["test"])[0]
        from_metadata = docs_and_features(cfg["custom_dataset"](**kwargs, clika_data=data)["test"])[0]
        if not from_env or from_env != from_metadata:
            failures.add("docs read through $CLIKA_DATA differ from docs read through metadata clika_data")
    finally:
        os.environ.pop("CLIKA_DATA", None)
        if saved is not None:
            os.environ["CLIKA_DATA"] = saved


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clika", required=True, help="the clika binary")
    parser.add_argument("--data", required=True, help="CLiKA data folder")
    args = parser.parse_args()
    data = str(Path(args.data).resolve())
    failures = Failures()

    generated = subprocess.run([sys.executable, "-B", str(TASKS_DIR / "generate_configs.py"), "--check"])
    if generated.returncode != 0:
        failures.add("examples/lm_eval_tasks differs from what generate_configs.py writes")

    ensure_datasets()
    tasks, groups = load_configs(failures)
    check_names(tasks, groups, failures)
    prompts = 0
    for name in sorted(tasks):
        prompts += render_task(name, tasks[name], data, args.clika, failures)
    if "clika_x_geo_de" in tasks:
        check_data_folder_sources(tasks, data, failures)

    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"{len(tasks)} task/language pairs: {prompts} prompts byte-identical to clika prompts, targets gold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
