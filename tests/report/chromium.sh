#!/usr/bin/env bash
# clika report for the published predictions of all four models, rendered by headless Chromium: the DOM it builds has
# every chart as SVG with a bar (and a whisker) per model and language, a legend entry per model, 100 cells per heat
# map (CO(X→Y) and both right, per model and level); its screenshot is a real image. Skips (77) where Chromium is not installed.
set -euo pipefail
CLIKA="$1"; DATA="$2"; WORK="$3"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$CHROMIUM" ]]; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh installs Debian's chromium)"
  exit 77
fi
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLIKA" report model:llama_13b model:vicuna_13b_v1.5 model:bloomz_7b1_mt model:chatgpt --data "$DATA" --bootstrap 100 --out "$WORK/report" > /dev/null
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync)
"$CHROMIUM" "${flags[@]}" --user-data-dir="$WORK/profile-dom" --dump-dom "file://$WORK/report/index.html" > "$WORK/dom.html" 2> "$WORK/chromium-dom.log"
"$CHROMIUM" "${flags[@]}" --user-data-dir="$WORK/profile-shot" --window-size=1280,4000 --hide-scrollbars \
  --screenshot="$WORK/report.png" "file://$WORK/report/index.html" 2> "$WORK/chromium-shot.log"
"$CLIKA_PYTHON" - "$WORK" <<'PY'
import html.parser, pathlib, struct, sys
work = pathlib.Path(sys.argv[1])

class Figures(html.parser.HTMLParser):
    """Per <figure>: its svg elements and the classes drawn inside them, as Chromium's DOM has them."""
    def __init__(self):
        super().__init__()
        self.figures, self.current, self.in_svg = {}, None, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self.current = a["id"]
            self.figures[self.current] = {"svg": 0}
        elif self.current is not None:
            if tag == "svg":
                self.figures[self.current]["svg"] += 1
            for c in (a.get("class") or "").split():
                self.figures[self.current][c] = self.figures[self.current].get(c, 0) + 1
    def handle_endtag(self, tag):
        if tag == "figure":
            self.current = None

dom = (work / "dom.html").read_text()
parser = Figures()
parser.feed(dom)
f = parser.figures
for chart, bars in [("basic_ra", 40), ("factual_ra", 40), ("factual_co", 36)]:
    got = f[f"figure-{chart}"]
    assert got["svg"] == 1 and got.get("bar") == bars and got.get("error-bar") == bars and got.get("legend-item") == 4, (chart, got)
heat = [k for k in f if k.startswith("figure-consistency_")]
assert len(heat) == 8, heat  # four models, two levels
both = [k for k in f if k.startswith("figure-both_right_")]
assert len(both) == 8, both
heat += both
for k in heat:
    assert f[k]["svg"] == 1 and f[k].get("heat-cell") == 100, (k, f[k])
assert "<script" not in dom
png = (work / "report.png").read_bytes()
assert png[:8] == b"\x89PNG\r\n\x1a\n"
width, height = struct.unpack(">II", png[16:24])
assert (width, height) == (1280, 4000) and len(png) > 100_000, (width, height, len(png))
print(f"chromium drew {len(f)} charts; screenshot {width}x{height}, {len(png)} bytes")
PY
