"""clika.run_fictional against `clika run --tasks fictional`: the same options write the same run directory, byte for
byte (predictions, translate files and run.json), and a bad mode is refused before any model loads.

usage: test_run_fictional.py CLIKA DATA PLUGIN_DIR WORK"""

import filecmp
import pathlib
import shutil
import subprocess
import sys

import clika

clika_bin, data, plugins, work = sys.argv[1], sys.argv[2], sys.argv[3], pathlib.Path(sys.argv[4])
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
model = work / "tiny.gguf"
subprocess.run([clika_bin, "make-model", "--out", str(model), "--seed", "5"], check=True, stdout=subprocess.DEVNULL)

common = dict(limit=2, max_new_tokens=4, chunk=3)
cli_out, py_out = work / "cli", work / "py"
subprocess.run([clika_bin, "run", "--data", data, "--model", str(model), "--plugin-path", plugins, "--threads", "1",
                "--tasks", "fictional", "--langs", "de,ja", "--limit", "2", "--max-new-tokens", "4", "--chunk", "3",
                "--no-report", "--out", str(cli_out)], check=True, stderr=subprocess.DEVNULL)
result = clika.run_fictional(data, str(model), py_out, langs=["de", "ja"], plugin_paths=[plugins], threads=1, **common)
assert result["answered"] == 3 * (2 + 2) + 2 * 2, result  # en, de, ja: 2 items of each type; de, ja: 2 Translate items

def files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.name != ".clika.lock")

assert files(cli_out) == files(py_out), (files(cli_out), files(py_out))
for rel in files(cli_out):
    assert filecmp.cmp(cli_out / rel, py_out / rel, shallow=False), f"{rel} differs between the CLI and Python runs"
assert clika.run_fictional(data, str(model), py_out, langs=["de", "ja"], plugin_paths=[plugins], threads=1,
                           **common)["answered"] == 0  # resumed: nothing left to answer
report = clika.score_run(py_out)
assert report["conductivity"]["modes"] == ["generate", "choice"], report["conductivity"]["modes"]

try:
    clika.run_fictional(data, str(model), work / "bad", mode="guess", plugin_paths=[plugins])
except clika.Error as e:
    assert "generate, choice or both" in str(e), e
    assert not (work / "bad").exists()
else:
    raise AssertionError("mode='guess' was accepted")
print("clika.run_fictional wrote the CLI's run directory byte for byte")
