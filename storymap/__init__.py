"""Between Borders: a scroll-driven story map, built in one direction.

layers + chapters + references  ->  scenes  ->  maps and pages  ->  site/
"""
