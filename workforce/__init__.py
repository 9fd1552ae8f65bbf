"""workforce: develop and keep the children's services workforce.

``create_app`` builds the application in named steps, as the design card lays out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application; ``config`` overrides the environment."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from workforce.config import load_config

    settings = load_config(Path(app.instance_path))
    if config:
        settings.update(config)
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        settings["SQLALCHEMY_DATABASE_URI"], settings.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    )
    app.config.update(settings)

    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


#: Memory each sort or hash of a PostgreSQL query may use before it spills to disk.
WORK_MEM = "32MB"


def engine_options(database_url: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` plus what every PostgreSQL connection of the app needs.

    PostgreSQL's just-in-time compiler is switched off: it pays off for hours-long analytic
    queries, but for the app's reports (a second or two each) compiling took longer than
    running them (6.4 s of one 8 s report at national scale before the query was rewritten).

    Each sort or hash may use 32 MB of memory before spilling to disk (PostgreSQL's stock
    4 MB made the supervision judgement of a county's 66,000 sessions sort on disk, a third
    slower). A ``work_mem`` set in ``SQLALCHEMY_ENGINE_OPTIONS`` is kept.
    """
    if not database_url.startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args", {}))
    given = connect_args.get("options", "")
    settings = [given] if given else []
    if "work_mem" not in given:
        settings.append(f"-c work_mem={WORK_MEM}")
    settings.append("-c jit=off")
    connect_args["options"] = " ".join(settings)
    return {**options, "connect_args": connect_args}


def register_templates(app: Flask) -> None:
    """Load our templates first, then the GOV.UK Frontend macros."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(Path(app.root_path) / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from govuk_frontend_wtf.main import WTFormsHelpers

    from workforce import templating

    WTFormsHelpers(app)
    templating.init_app(app)


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, sign-in, CSRF, rate limiting and auditing."""
    from workforce import audit, models, security  # noqa: F401  (models registers tables)
    from workforce.extensions import csrf, db, limiter, login_manager, migrate
    from workforce.models import supervision as supervision_models

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    audit.init_app()
    supervision_models.init_app()
    security.init_app(app)

    from workforce.services.accounts import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per domain."""
    from workforce.blueprints.admin import bp as admin_bp
    from workforce.blueprints.asye import bp as asye_bp
    from workforce.blueprints.auth import bp as auth_bp
    from workforce.blueprints.capability import bp as capability_bp
    from workforce.blueprints.main import bp as main_bp
    from workforce.blueprints.people import bp as people_bp
    from workforce.blueprints.performance import bp as performance_bp
    from workforce.blueprints.planning import bp as planning_bp
    from workforce.blueprints.reports import bp as reports_bp
    from workforce.blueprints.supervision import bp as supervision_bp
    from workforce.blueprints.training import bp as training_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(training_bp)
    app.register_blueprint(capability_bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(planning_bp)
    app.register_blueprint(asye_bp)
    app.register_blueprint(performance_bp)
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(admin_bp, url_prefix="/admin")


def register_errorhandlers(app: Flask) -> None:
    """Render 400, 403, 404, 429 and 500 in the service's own design."""
    from workforce.blueprints.main.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the ``users``, ``seed`` and ``import`` command groups."""
    from workforce.cli import register

    register(app)
