"""Error pages share the service's design and never leak a traceback."""

from __future__ import annotations

from tests.conftest import make_app


def test_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and "Workforce" in page


def test_500_page_rolls_back_and_hides_the_error(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'errors.sqlite'}", tmp_path)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page and "Traceback" not in page
    with app.app_context():
        from workforce.extensions import db

        db.engine.dispose()
