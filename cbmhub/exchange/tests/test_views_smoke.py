import pytest


@pytest.mark.django_db
def test_pages_render(client_for, bilateral, anna, bert):
    client = client_for(anna)
    collection = bilateral.collections.get()
    r = client.post(
        "/exchange/report/",
        {
            "collection": collection.pk,
            "title": "Phishing wave",
            "description": "Mails with a fake invoice",
            "severity": "high",
            "sectors": ["energy"],
            "indicators": "198.51.100.7\nevil.example.com\n",
            "tlp": "amber",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    r = client.get(r["Location"])
    assert r.status_code == 200
    assert b"TLP:AMBER" in r.content
    r = client_for(bert).get("/exchange/")
    assert r.status_code == 200
    assert b"Phishing wave" in r.content
    assert client_for(bert).get("/exchange/arrangements/").status_code == 200
    assert client_for(anna).get("/exchange/import/").status_code == 200
