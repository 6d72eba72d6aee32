#!/usr/bin/env bash
# One command for each job a newcomer has:
#   ./dev.sh serve   set up .venv, build site/ and preview it on http://127.0.0.1:8000/
#   ./dev.sh build   set up .venv and build site/
#   ./dev.sh check   set up .venv and check layers, chapters and references
#   ./dev.sh test    set up .venv with the test tools and run every test (needs Debian's chromium)
#   ./dev.sh add-contribution FILE   merge a contribution file from the studio, if the check then passes
set -euo pipefail
cd "$(dirname "$0")"
job="${1:-serve}"
shift || true

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
extra=""
[ "$job" = "test" ] && extra="[test]" && stamp="$stamp-test"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extra}"
  touch "$stamp"
fi

# The Korean and Chinese static maps need a font with Hangul and Chinese characters. Install
# Debian's fonts-noto-cjk where we can (as root, or with password-less sudo); otherwise the build
# says what to install.
if command -v apt-get >/dev/null 2>&1 && command -v fc-list >/dev/null 2>&1 \
    && ! fc-list :lang=ko family | grep -q .; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq fonts-noto-cjk >/dev/null || true
  elif sudo -n true 2>/dev/null; then
    sudo -n apt-get install -y -qq fonts-noto-cjk >/dev/null || true
  fi
fi

case "$job" in
  test) exec .venv/bin/python -m pytest "$@" ;;
  build|check|serve|new-route|import-route|add-contribution) exec .venv/bin/python build.py "$job" "$@" ;;
  *) echo "usage: ./dev.sh serve|build|check|test|new-route SLUG|import-route FILE SLUG|add-contribution FILE" >&2; exit 2 ;;
esac
