"""leadsync: a company's Lead lifecycle in Salesforce as a reviewed, tested, deployable file."""

__version__ = "0.1.0"
