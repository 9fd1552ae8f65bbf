"""The home page answers a signed-in user."""


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_home_for_hr(client, login):
    login("hr")
    response = client.get("/")
    assert response.status_code == 200
    assert b"people in post" in response.data
