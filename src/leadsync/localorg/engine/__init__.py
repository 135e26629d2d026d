"""The local org's record engine: what happens when a Lead is saved or converted.

`schema.py` reads the deployed metadata into what a save needs (fields and their types, picklists,
active validation rules, before-save flows, the Lead settings); `flowrun.py` interprets a flow;
`save.py` follows Salesforce's order of execution; `convert.py` converts a lead. See docs/local-org.md.
"""
