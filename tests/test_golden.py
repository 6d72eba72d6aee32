"""The golden build: the tiny project in tests/golden/project builds to exactly the committed
output in tests/golden/expected/. When a change alters the output, the test shows how, as a
diff; if the change is meant, refresh the expected files with `.venv/bin/python -m tests.golden`."""
from __future__ import annotations

import difflib

from tests.golden import EXPECTED, build, read_expected, view

REFRESH = "If this change is intended, run: .venv/bin/python -m tests.golden  (then review and commit tests/golden/expected/)"
MAX_DIFF_LINES = 120


def test_the_golden_project_builds_to_the_expected_output(tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    built, expected = view(build(tmp_path)), read_expected()
    assert expected, f"{EXPECTED} is empty. {REFRESH}"
    report = []
    for name in sorted(set(built) - set(expected)):
        report.append(f"new file: {name}")
    for name in sorted(set(expected) - set(built)):
        report.append(f"file no longer written: {name}")
    for name in sorted(set(built) & set(expected)):
        if built[name] != expected[name]:
            report.extend(difflib.unified_diff(expected[name].splitlines(), built[name].splitlines(),
                                               f"expected/{name}", f"built/{name}", n=2, lineterm=""))
    if report:
        shown = report[:MAX_DIFF_LINES] + ([f"... and {len(report) - MAX_DIFF_LINES} more lines"]
                                           if len(report) > MAX_DIFF_LINES else [])
        raise AssertionError("The golden build's output changed:\n" + "\n".join(shown) + "\n\n" + REFRESH)
