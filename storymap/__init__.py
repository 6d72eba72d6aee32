"""Between Borders: a scroll-driven story map, built in one direction.

layers + chapters + references  ->  scenes  ->  maps and pages  ->  site/

Each stage is a package; a module imports only from its own stage and earlier ones
(tests/test_stages.py)."""

#: The stage packages in the order data flows through them.
STAGES = ("core", "inputs", "scenes", "rendering", "cache", "commands", "tools")
