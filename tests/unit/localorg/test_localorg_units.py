"""The local org's small parts without a server: SOQL, formula references, ids, TLS renewal, the store."""

from __future__ import annotations

import datetime as dt

import pytest
import trustme

from leadsync.localorg import ids, soql, tls
from leadsync.localorg.references import formula_refs, line_and_column, record_refs
from leadsync.localorg.store import Content, MetadataStore

LEADS = [
    {"attributes": {"type": "Lead"}, "Id": "1", "Status": "New", "Company": "Acme"},
    {"attributes": {"type": "Lead"}, "Id": "2", "Status": "New", "Company": "Globex"},
    {"attributes": {"type": "Lead"}, "Id": "3", "Status": "Working", "Company": "Initech"},
]


def test_soql_select_where_limit():
    q = soql.parse("SELECT id, company FROM Lead WHERE status = 'new' AND Company != 'Globex' LIMIT 5")
    assert soql.run(q, LEADS) == [{"attributes": {"type": "Lead"}, "Id": "1", "Company": "Acme"}]
    q = soql.parse("SELECT Id FROM Lead WHERE Status IN ('Working', 'Closed') ORDER BY Id")
    assert [r["Id"] for r in soql.run(q, LEADS)] == ["3"]
    q = soql.parse("SELECT Id, Nope__c FROM Lead WHERE Company LIKE 'glo%'")
    assert soql.run(q, LEADS) == [{"attributes": {"type": "Lead"}, "Id": "2", "Nope__c": None}]


def test_soql_aggregates():
    q = soql.parse("SELECT Status, COUNT(Id) FROM Lead GROUP BY Status")
    assert [(r["Status"], r["expr0"]) for r in soql.run(q, LEADS)] == [("New", 2), ("Working", 1)]
    q = soql.parse("SELECT COUNT(Id) n FROM Lead WHERE Status = 'New'")
    assert soql.run(q, LEADS) == [{"attributes": {"type": "AggregateResult"}, "n": 2}]
    assert soql.run(soql.parse("SELECT COUNT() FROM Lead"), [])[0]["expr0"] == 0


@pytest.mark.parametrize("bad", ["SELEKT Id FROM Lead", "SELECT Id FROM Lead WHERE Status ~ 'x'", "SELECT a+b FROM Lead"])
def test_soql_refuses_what_it_cannot_read(bad):
    with pytest.raises(soql.SoqlError):
        soql.parse(bad)


def test_formula_references():
    text = ('AND(ISPICKVAL(Status, "Reason__c"), /* Old__c */ NOT(ISBLANK(Reason__c)),\n'
            "Owner:User.Alias = $User.Alias, Partner__r.Name <> 'x', TRUE, 12.5 > Score__c)")
    refs = formula_refs(text)
    assert [(r.path, r.field) for r in refs] == [
        ("Status", "Status"), ("Reason__c", "Reason__c"), ("Owner:User.Alias", "OwnerId"),
        ("Partner__r.Name", "Partner__c"), ("Score__c", "Score__c")]
    assert line_and_column(text, refs[2].offset) == (1, 1)


def test_flow_record_references():
    refs = record_refs("{!$Record.Lead_Stage__c} and $Record__Prior.Status, $Record.Owner.Name")
    assert [(r.path, r.field) for r in refs] == [("Lead_Stage__c", "Lead_Stage__c"), ("Status", "Status"),
                                                 ("Owner.Name", "OwnerId")]


def test_ids_have_salesforce_checksums():
    assert ids.checksum("001A0000006Vm9r") == "IAC"  # a documented example id
    new = ids.new_id("Deploy")
    assert len(new) == 18 and new.startswith("0Af") and ids.checksum(new[:15]) == new[15:]


def test_tls_reissues_an_expiring_server_certificate_from_the_same_ca(tmp_path):
    files = tls.ensure_certificates(tmp_path)
    ca = trustme.CA.from_pem(files.ca_file.read_bytes(), files.ca_key.read_bytes())
    soon = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(days=1)
    expiring = ca.issue_cert("127.0.0.1", not_after=soon)
    files.cert_file.write_bytes(expiring.cert_chain_pems[0].bytes())
    again = tls.ensure_certificates(tmp_path)
    assert again.cert_file.read_bytes() != expiring.cert_chain_pems[0].bytes()
    assert again.ca_file.read_bytes() == files.ca_file.read_bytes()


def test_store_commits_are_seen_by_another_store_on_the_same_dir(tmp_path):
    one, two = MetadataStore(tmp_path), MetadataStore(tmp_path)
    assert one.generation == two.generation == 1
    assert two.keys() == [("Layout", "Lead-Lead Layout"), ("StandardValueSet", "LeadStatus")]  # a new org's
    one.commit({("Flow", "F"): Content(b"<Flow/>")})
    assert two.get("Flow", "F").content == b"<Flow/>" and two.generation == 2
    assert not two.commit({("Flow", "G"): Content(b"<Flow/>")}, expect_generation=1)
    two.commit({("Flow", "F"): None})
    assert one.keys("Flow") == [] and list((tmp_path / "blobs" / "Flow").iterdir()) == []
