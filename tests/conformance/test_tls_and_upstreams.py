"""Certificates, CA certificates, SNIs, upstreams and targets through the DAO, on every backend.

Connector-agnostic (KONG.md 4.7): the tables come from the core migration
``001_certificates_upstreams``; foreign keys restrict (snis.certificate,
services.client_certificate, upstreams.client_certificate) or cascade (targets.upstream); unique
fields (snis.name, upstreams.name, ca_certificates.cert_digest) give Kong's UNIQUE violation.
The targets and certificates DAOs' own behaviour (target normalisation and per-upstream
uniqueness, the certificates' ``snis`` list) is tested in ``test_targets_certificates_dao.py``.
"""

import hashlib
import ssl
import uuid

import pytest

from kongdao import errors
from kongdao.dao import DAO
from kongdao.testing.certs import ca_certificate, certificate_pair

pytestmark = pytest.mark.postgres


async def new_certificate(db, name="example.com"):
    cert, key = certificate_pair("rsa", name)
    return await db.certificates.insert({"cert": cert, "key": key, "tags": ["tls"]})


# -- certificates ----------------------------------------------------------------------------


async def test_certificate_crud_and_secrecy(db):
    cert, key = certificate_pair("rsa")
    cert_alt, key_alt = certificate_pair("ec")
    stored = await db.certificates.insert(
        {"cert": cert, "key": key, "cert_alt": cert_alt, "key_alt": key_alt}
    )
    assert (stored.cert, stored.key, stored.cert_alt, stored.key_alt) == (
        cert,
        key,
        cert_alt,
        key_alt,
    )
    text = repr(stored)
    assert "PRIVATE KEY" not in text
    assert key.splitlines()[1] not in text
    assert await db.certificates.select({"id": stored.id}) == stored
    updated = await db.certificates.update(
        {"id": stored.id}, {"cert_alt": None, "key_alt": None, "tags": ["x"]}
    )
    assert (updated.cert_alt, updated.key_alt, updated.tags) == (None, None, ["x"])


async def test_certificate_checks_reach_the_dao_with_kongs_messages(db):
    cert, _ = certificate_pair("rsa", n=0)
    _, other_key = certificate_pair("rsa", n=1)
    with pytest.raises(errors.SchemaViolation) as info:
        await db.certificates.insert({"cert": cert, "key": other_key})
    assert info.value.fields == {"@entity": ["certificate does not match key"]}
    with pytest.raises(errors.SchemaViolation) as alt:
        await db.certificates.insert(
            {"cert": cert, "key": certificate_pair("rsa")[1], "cert_alt": certificate_pair("ec")[0]}
        )
    assert alt.value.fields == {
        "@entity": ["all or none of these fields must be set: 'cert_alt', 'key_alt'"]
    }
    with pytest.raises(errors.SchemaViolation) as bad:
        await db.certificates.insert({"cert": "not a certificate", "key": other_key})
    assert str(bad.value.fields["cert"]).startswith("invalid certificate: x509.new:")
    assert [c async for c in db.certificates.each()] == []


# -- SNIs -----------------------------------------------------------------------------------------


async def test_snis_reference_a_certificate_that_cannot_go_first(db):
    certificate = await new_certificate(db)
    sni = await db.snis.insert({"name": "*.example.com", "certificate": {"id": certificate.id}})
    assert sni.certificate == {"id": certificate.id}
    assert await db.snis.select_by_name("*.example.com") == sni
    page, _ = await db.snis.page_for_certificate({"id": certificate.id})
    assert page == [sni]

    with pytest.raises(errors.UniqueViolation) as dup:
        await db.snis.insert({"name": "*.example.com", "certificate": {"id": certificate.id}})
    assert dup.value.err_t["message"] == "UNIQUE violation detected on '{name=\"*.example.com\"}'"
    with pytest.raises(errors.SchemaViolation) as wild:
        await db.snis.insert({"name": "a.*.example.com", "certificate": {"id": certificate.id}})
    assert wild.value.fields == {"name": "wildcard must be leftmost or rightmost character"}

    missing = str(uuid.uuid4())
    with pytest.raises(errors.ForeignKeyViolation) as fk:
        await db.snis.insert({"name": "b.example.com", "certificate": {"id": missing}})
    assert fk.value.fields == {"certificate": {"id": missing}}

    # the database refuses to orphan an SNI (the generic delete shows it); the certificates
    # DAO deletes a certificate's SNIs first, as Kong's does
    with pytest.raises(errors.ForeignKeyViolation) as restrict:
        await DAO.delete(db.certificates, {"id": certificate.id})
    assert restrict.value.fields == {"@referenced_by": "snis"}
    assert await db.certificates.select({"id": certificate.id}) == certificate
    assert await db.certificates.delete({"id": certificate.id}) is not None
    assert await db.snis.select_by_name("*.example.com") is None


async def test_services_client_certificate_is_a_real_foreign_key(db, bp):
    certificate = await new_certificate(db)
    svc = await bp.services(client_certificate={"id": certificate.id}, protocol="https")
    assert svc.client_certificate == {"id": certificate.id}
    page, _ = await db.services.page_for_client_certificate({"id": certificate.id})
    assert [s.id for s in page] == [svc.id]

    missing = str(uuid.uuid4())
    with pytest.raises(errors.ForeignKeyViolation) as fk:
        await bp.services(client_certificate={"id": missing}, protocol="https")
    assert fk.value.fields == {"client_certificate": {"id": missing}}

    with pytest.raises(errors.ForeignKeyViolation) as restrict:
        await db.certificates.delete({"id": certificate.id})
    assert restrict.value.fields == {"@referenced_by": "services"}
    await db.services.update({"id": svc.id}, {"client_certificate": None})
    assert await db.certificates.delete({"id": certificate.id}) is not None


# -- CA certificates ------------------------------------------------------------------------------


async def test_ca_certificates_digest_is_computed_and_unique(db):
    pem = ca_certificate("test CA")
    ca = await db.ca_certificates.insert({"cert": pem})
    der = ssl.PEM_cert_to_DER_cert(pem)
    assert ca.cert_digest == hashlib.sha256(der).hexdigest()
    assert await db.ca_certificates.select_by_cert_digest(ca.cert_digest) == ca
    with pytest.raises(errors.UniqueViolation) as dup:
        await db.ca_certificates.insert({"cert": pem})
    assert dup.value.err_t["fields"] == {"cert_digest": ca.cert_digest}

    leaf, _ = certificate_pair("ec", "leaf.example.com")
    with pytest.raises(errors.SchemaViolation) as not_ca:
        await db.ca_certificates.insert({"cert": leaf})
    assert not_ca.value.fields == {
        "@entity": [
            'certificate does not appear to be a CA because it is missing the "CA" basic constraint'
        ]
    }
    assert [c.id async for c in db.ca_certificates.each()] == [ca.id]


# -- upstreams and targets ------------------------------------------------------------------------


async def test_upstream_defaults_checks_and_uniqueness(db):
    up = await db.upstreams.insert({"name": "backend.internal"})
    assert (up.algorithm, up.hash_on, up.hash_fallback, up.slots) == (
        "round-robin",
        "none",
        "none",
        10000,
    )
    assert up.healthchecks["active"]["healthy"]["http_statuses"] == [200, 302]
    assert up.healthchecks["passive"]["unhealthy"]["http_failures"] == 0
    assert await db.upstreams.select_by_name("backend.internal") == up

    with pytest.raises(errors.UniqueViolation):
        await db.upstreams.insert({"name": "backend.internal"})
    with pytest.raises(errors.SchemaViolation) as bad_name:
        await db.upstreams.insert({"name": "10.0.0.1"})
    assert bad_name.value.fields == {"name": "Invalid name ('10.0.0.1'); no ip addresses allowed"}
    with pytest.raises(errors.SchemaViolation) as header:
        await db.upstreams.update({"id": up.id}, {"hash_on": "header"})
    assert header.value.fields["hash_on_header"] == "required field missing"
    assert (await db.upstreams.select({"id": up.id})).hash_on == "none"


async def test_targets_cascade_with_their_upstream(db):
    up = await db.upstreams.insert({"name": "pool.internal"})
    other = await db.upstreams.insert({"name": "other.internal"})
    mine = [
        await db.targets.insert({"upstream": {"id": up.id}, "target": f"10.0.0.{i}:80"})
        for i in range(1, 4)
    ]
    kept = await db.targets.insert({"upstream": {"id": other.id}, "target": "10.0.1.1:80"})
    assert mine[0].weight == 100
    assert isinstance(mine[0].created_at, float)
    page, _ = await db.targets.page_for_upstream({"id": up.id})
    assert sorted(t.target for t in page) == ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]

    with pytest.raises(errors.SchemaViolation) as weight:
        await db.targets.insert({"upstream": {"id": up.id}, "target": "10.0.0.9:80", "weight": -1})
    assert weight.value.fields == {"weight": "value should be between 0 and 65535"}

    assert await db.upstreams.delete({"id": up.id}) is not None
    assert [t.id async for t in db.targets.each()] == [kept.id]
