"""Shared by every stage: how problems are reported, plain-words schema errors, the YAML loader, text and date
checks, geography helpers, in-process memos and the build's progress lines."""
