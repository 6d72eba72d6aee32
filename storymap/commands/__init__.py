"""Stage 5, the commands build.py runs: `pipeline.py` wires the stages, `run.py` holds build, check and
new-route."""
