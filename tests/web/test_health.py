from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from web import create_app


def test_healthz_reports_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_fails_when_the_database_is_gone(web_settings, tmp_path):
    missing = tmp_path / "no-such-dir" / "prm.db"
    broken = sessionmaker(create_engine(f"sqlite:///{missing}"))
    app = create_app(web_settings, {"TESTING": True, "SESSIONS": broken})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"
