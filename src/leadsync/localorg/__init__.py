"""The local org: an offline Salesforce org for leadsync, simple-salesforce and sf (docs/local-org.md).

Start with `server.LocalOrg`; `serve.run` is `leadsync local-org serve`.
"""
