"""Debian's Chromium as the browser tests (tests/browser/) and the benchmarks (benchmarks/) launch
it with Playwright: headless, and quiet (none of Chromium's own requests leaves the machine)."""

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
