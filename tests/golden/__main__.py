"""python -m tests.golden: refresh tests/golden/expected/ from a fresh build of the golden project."""
import os
import sys
import tempfile
from pathlib import Path

from tests.golden import EXPECTED, ROOT, refresh

os.environ.pop("SITE_URL", None)  # the expected pages carry content/site.yaml's address
with tempfile.TemporaryDirectory() as work:
    files = refresh(Path(work))
print(f"Wrote {len(files)} files to {EXPECTED.relative_to(ROOT)}/. Review them with git diff, then commit them.")
sys.exit(0)
