"""The lifecycle for people: plain words (`lifecycle.py`), a picture (`diagram.py`), a handbook (`handbook.py`).

Everything here reads the validated spec model, never the rendered XML, and returns text: the CLI
decides where it goes. Output is deterministic, so a handbook or diagram kept in git changes only when
the lifecycle does.
"""
