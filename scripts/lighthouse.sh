#!/usr/bin/env bash
# Lighthouse on every page of the story, with mobile emulation (a developer's check, not CI).
#
#   scripts/lighthouse.sh              build into a temporary folder, serve it, audit every page
#   scripts/lighthouse.sh hunger/ ''    audit only these pages ('' is the landing page)
#   KEEP_REPORTS=dir scripts/lighthouse.sh   also keep each page's JSON report in dir
#
# Needs Node.js and npm, Debian's chromium, and the project's Python (PYTHON=..., default: .venv's
# python if there is one, else python3). Lighthouse is installed on first use into .lighthouse/
# (npm install --prefix .lighthouse); 13.x needs Node >= 22.19, so on older Node 12.x is used.
# Exits 1 if any page scores below 95 for performance or below 100 for accessibility,
# best practices or SEO.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
CHROME_PATH="${CHROME_PATH:-$(command -v chromium || command -v chromium-browser || true)}"
[[ -n "$CHROME_PATH" ]] || { echo "chromium not found (apt-get install chromium)" >&2; exit 2; }
export CHROME_PATH
command -v node >/dev/null || { echo "node not found (apt-get install nodejs npm)" >&2; exit 2; }

MIN_PERFORMANCE=95
MIN_OTHERS=100
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"

# ---- Lighthouse, installed locally ------------------------------------------------------------
LH="$ROOT/.lighthouse/node_modules/.bin/lighthouse"
if [[ ! -x "$LH" ]]; then
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if (( node_major >= 22 )); then version=13; else version=12; fi
  echo "Installing lighthouse@$version into .lighthouse/ (Node $(node --version))..."
  npm install --prefix "$ROOT/.lighthouse" --no-audit --no-fund --loglevel=error "lighthouse@$version" >/dev/null
fi
echo "Lighthouse $("$LH" --version), $("$CHROME_PATH" --version 2>/dev/null | head -1)"

# ---- build and serve --------------------------------------------------------------------------
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

SITE="$WORK/site"
"$PYTHON" -c "import sys; sys.path.insert(0, '.'); from pathlib import Path; from build import build; sys.exit(build(Path('.'), site_dir=Path(sys.argv[1])))" "$SITE"

PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# Served gzip-compressed, as a static host serves it.
"$PYTHON" -m storymap.tools.serving "$SITE" --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done

# ---- audit every page -------------------------------------------------------------------------
if (( $# )); then
  PAGES=("$@")
else
  mapfile -t PAGES < <(cd "$SITE" && find . -name '*.html' | sed -e 's|^\./||' -e 's|index\.html$||' | sort)
fi
REPORTS="$WORK/reports"
mkdir -p "$REPORTS"
for page in "${PAGES[@]}"; do
  name="${page%/}"; name="${name//\//_}"; name="${name:-index}"
  echo "  auditing /$page ..." >&2
  if ! "$LH" "http://127.0.0.1:$PORT/$page" --quiet --output=json --output-path="$REPORTS/$name.json" \
      --form-factor=mobile --chrome-flags="$CHROME_FLAGS" >"$REPORTS/$name.log" 2>&1; then
    echo "Lighthouse failed on /$page:" >&2
    tail -20 "$REPORTS/$name.log" >&2
  fi
done
if [[ -n "${KEEP_REPORTS:-}" ]]; then mkdir -p "$KEEP_REPORTS" && cp "$REPORTS"/*.json "$KEEP_REPORTS"/; fi

# ---- the table ----------------------------------------------------------------------------------
"$PYTHON" - "$REPORTS" "$MIN_PERFORMANCE" "$MIN_OTHERS" "${PAGES[@]}" <<'PY'
import json
import sys
from pathlib import Path

reports, min_perf, min_other, pages = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
categories = [("performance", "perf", min_perf), ("accessibility", "a11y", min_other),
              ("best-practices", "best", min_other), ("seo", "seo", min_other)]
print()
print(f"{'page':<34} " + " ".join(f"{short:>5}" for _, short, _ in categories) + "  below target")
print("-" * 80)
failed = []
for page in pages:
    name = page.rstrip("/").replace("/", "_") or "index"
    path = reports / f"{name}.json"
    if not path.exists():
        print(f"/{page:<33} no report")
        failed.append(f"/{page}: no report")
        continue
    report = json.loads(path.read_text())
    scores, below = [], []
    for key, short, minimum in categories:
        score = report["categories"][key]["score"]
        value = None if score is None else round(score * 100)
        scores.append("  n/a" if value is None else f"{value:>5}")
        if value is None or value < minimum:
            audits = [a for ref in report["categories"][key]["auditRefs"] if ref["weight"] > 0
                      for a in [report["audits"][ref["id"]]] if a.get("score") is not None and a["score"] < 1]
            below.append(f"{short} {value}: " + ", ".join(a["id"] for a in audits[:6]))
    print(f"/{page:<33} " + " ".join(scores) + ("  " + "; ".join(below) if below else ""))
    failed += [f"/{page}: {b}" for b in below]
print()
print(f"targets: performance >= {min_perf}, accessibility, best practices and SEO >= {min_other} (mobile emulation)")
if failed:
    print(f"{len(failed)} score(s) below target.")
    sys.exit(1)
print("Every page meets the targets.")
PY
