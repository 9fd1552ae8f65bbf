"""Framework views: everyone signed in reads frameworks and exports them; administrators
create and edit them (domains, levels, pathways, descriptors) and import them from YAML or
CSV files, checked whole and previewed before anything is written."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from workforce.audit import record_event
from workforce.blueprints.capability import bp
from workforce.blueprints.capability.framework_forms import (
    ConfirmForm,
    ConfirmFrameworkImportForm,
    DescriptorForm,
    DomainForm,
    FrameworkForm,
    FrameworkImportForm,
    LevelForm,
    PathwayForm,
)
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.models import Framework, FrameworkDomain, FrameworkLevel, FrameworkPathway
from workforce.security import roles_required
from workforce.services import ServiceError, framework_io
from workforce.services import frameworks as service
from workforce.services.tabular import find_upload, keep_upload, remove_stale_uploads

#: Who may change frameworks (``roles_required`` always lets admins through).
EDITORS = ("admin",)
#: URL segment for each kind of framework item.
KIND_OF_SEGMENT = {"domains": "domain", "levels": "level"}


def _can_edit() -> bool:
    return bool(current_user.has_role(*EDITORS))


def _framework_or_404(framework_id: int) -> Framework:
    return db.session.get(Framework, framework_id) or abort(404)


def _item_or_404(framework: Framework, kind: str, item_id: int) -> Any:
    item = db.session.get(service.KINDS[kind], item_id)
    if item is None or item.framework_id != framework.id:
        abort(404)
    return item


def _level_or_404(framework: Framework, level_id: int) -> FrameworkLevel:
    return _item_or_404(framework, "level", level_id)


def _pathway_or_404(level: FrameworkLevel, pathway_id: int) -> FrameworkPathway:
    pathway = db.session.get(FrameworkPathway, pathway_id)
    if pathway is None or pathway.level_id != level.id:
        abort(404)
    return pathway


def _save(
    form: Any, change: Callable[[], Any], message: str, target: str | Callable[[Any], str]
) -> Response | None:
    """Make a change through the service; commit and redirect, or put the refusal on the form."""
    try:
        saved = change()
    except ServiceError as error:
        db.session.rollback()
        put_error(form, error)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(target if isinstance(target, str) else target(saved))


def _detail(framework: Framework, anchor: str = "") -> str:
    return url_for("capability.framework_detail", framework_id=framework.id) + anchor


# --- reading -------------------------------------------------------------------------------


@bp.route("/frameworks")
@login_required
def framework_list() -> str:
    """Every framework, with its number of domains and levels."""
    return render_template(
        "capability/framework_list.html",
        summaries=service.framework_summaries(),
        can_edit=_can_edit(),
    )


@bp.route("/frameworks/<int:framework_id>")
@login_required
def framework_detail(framework_id: int) -> str:
    """Domains, levels and pathways in order, retired ones apart, and the descriptors."""
    framework = _framework_or_404(framework_id)
    return render_template(
        "capability/framework_detail.html",
        framework=framework,
        domains=service.ordered(framework.domains, retired=False),
        retired_domains=service.ordered(framework.domains, retired=True),
        levels=service.ordered(framework.levels, retired=False),
        retired_levels=service.ordered(framework.levels, retired=True),
        descriptors=service.descriptors_of(framework),
        can_edit=_can_edit(),
        move_form=ConfirmForm(),
    )


@bp.route("/frameworks/<int:framework_id>/export")
@login_required
def framework_export(framework_id: int) -> Response:
    """Download the framework as YAML or CSV (``?format=yaml|csv``)."""
    framework = _framework_or_404(framework_id)
    fmt = request.args.get("format", "yaml")
    if fmt not in framework_io.FORMATS:
        abort(404)
    text, mimetype, filename = framework_io.export_framework(framework, fmt)
    record_event(
        "export",
        "Framework",
        f"Exported framework {framework.code} as {fmt.upper()}",
        {"format": fmt},
        entity_id=str(framework.id),
    )
    db.session.commit()
    return send_file(
        io.BytesIO(text.encode("utf-8")),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename,
    )


# --- frameworks ----------------------------------------------------------------------------


def _framework_form(framework: Framework | None) -> str | Response:
    form = FrameworkForm(obj=framework if request.method == "GET" else None)
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: service.save_framework(
                framework,
                code=form.code.data,
                name=form.name.data,
                description=form.description.data,
                source=form.source.data,
                active=form.active.data,
            ),
            f"Framework {' '.join(form.name.data.split())} saved.",
            _detail,
        )
        if done:
            return done
    return render_template("capability/framework_form.html", form=form, framework=framework)


@bp.route("/frameworks/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def framework_new() -> str | Response:
    """Create a framework."""
    return _framework_form(None)


@bp.route("/frameworks/<int:framework_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def framework_edit(framework_id: int) -> str | Response:
    """Change a framework's code, name, description, source or whether it is active."""
    return _framework_form(_framework_or_404(framework_id))


# --- domains and levels --------------------------------------------------------------------


def _item_form(framework: Framework, kind: str, item: Any) -> str | Response:
    form_class = DomainForm if kind == "domain" else LevelForm
    form = form_class(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: service.save_item(
                framework,
                kind,
                item,
                name=form.name.data,
                description=form.description.data,
                former_name=form.former_name.data if kind == "domain" else None,
            ),
            f"{kind.capitalize()} {' '.join(form.name.data.split())} saved.",
            _detail(framework, f"#{kind}s"),
        )
        if done:
            return done
    return render_template(
        "capability/framework_item_form.html", form=form, framework=framework, kind=kind, item=item
    )


@bp.route(
    "/frameworks/<int:framework_id>/<any(domains, levels):segment>/new", methods=["GET", "POST"]
)
@roles_required(*EDITORS)
def framework_item_new(framework_id: int, segment: str) -> str | Response:
    """Add a domain or level at the end of the framework."""
    return _item_form(_framework_or_404(framework_id), KIND_OF_SEGMENT[segment], None)


@bp.route(
    "/frameworks/<int:framework_id>/<any(domains, levels):segment>/<int:item_id>/edit",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def framework_item_edit(framework_id: int, segment: str, item_id: int) -> str | Response:
    """Rename or describe a domain or level."""
    framework = _framework_or_404(framework_id)
    kind = KIND_OF_SEGMENT[segment]
    return _item_form(framework, kind, _item_or_404(framework, kind, item_id))


@bp.route(
    "/frameworks/<int:framework_id>/<any(domains, levels):segment>/<int:item_id>"
    "/move/<any(up, down):direction>",
    methods=["POST"],
)
@roles_required(*EDITORS)
def framework_item_move(framework_id: int, segment: str, item_id: int, direction: str) -> Response:
    """Move a domain or level one place up or down."""
    framework = _framework_or_404(framework_id)
    kind = KIND_OF_SEGMENT[segment]
    item = _item_or_404(framework, kind, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        moved = service.move_item(item, direction)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        if moved:
            flash(f"{kind.capitalize()} {item.name} moved {direction}.", "success")
    return redirect(_detail(framework, f"#{kind}s"))


@bp.route(
    "/frameworks/<int:framework_id>/<any(domains, levels):segment>/<int:item_id>/retire",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def framework_item_retire(framework_id: int, segment: str, item_id: int) -> str | Response:
    """Retire a domain or level after confirming: it is kept for what already uses it."""
    framework = _framework_or_404(framework_id)
    kind = KIND_OF_SEGMENT[segment]
    item = _item_or_404(framework, kind, item_id)
    form = ConfirmForm()
    if item.retired:
        flash(f"{kind.capitalize()} {item.name} is already retired.", "error")
        return redirect(_detail(framework, f"#{kind}s"))
    if form.validate_on_submit():
        service.set_retired(item, True)
        db.session.commit()
        flash(
            f"{kind.capitalize()} {item.name} retired. Assessments and links that use it are "
            "kept; you can reinstate it at any time.",
            "success",
        )
        return redirect(_detail(framework, f"#{kind}s"))
    return render_template(
        "capability/framework_item_retire.html",
        form=form,
        framework=framework,
        kind=kind,
        item=item,
        use=service.item_use(item),
    )


@bp.route(
    "/frameworks/<int:framework_id>/<any(domains, levels):segment>/<int:item_id>/reinstate",
    methods=["POST"],
)
@roles_required(*EDITORS)
def framework_item_reinstate(framework_id: int, segment: str, item_id: int) -> Response:
    """Bring a retired domain or level back into use."""
    framework = _framework_or_404(framework_id)
    kind = KIND_OF_SEGMENT[segment]
    item = _item_or_404(framework, kind, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.set_retired(item, False)
    db.session.commit()
    flash(f"{kind.capitalize()} {item.name} is in use again.", "success")
    return redirect(_detail(framework, f"#{kind}s"))


# --- pathways ------------------------------------------------------------------------------


def _pathway_form(
    framework: Framework, level: FrameworkLevel, pathway: FrameworkPathway | None
) -> str | Response:
    form = PathwayForm(obj=pathway if request.method == "GET" else None)
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: service.save_pathway(level, pathway, form.name.data),
            f"Pathway {' '.join(form.name.data.split())} saved.",
            _detail(framework, "#levels"),
        )
        if done:
            return done
    return render_template(
        "capability/framework_pathway_form.html",
        form=form,
        framework=framework,
        level=level,
        pathway=pathway,
    )


@bp.route(
    "/frameworks/<int:framework_id>/levels/<int:level_id>/pathways/new", methods=["GET", "POST"]
)
@roles_required(*EDITORS)
def framework_pathway_new(framework_id: int, level_id: int) -> str | Response:
    """Add a pathway to a level."""
    framework = _framework_or_404(framework_id)
    return _pathway_form(framework, _level_or_404(framework, level_id), None)


@bp.route(
    "/frameworks/<int:framework_id>/levels/<int:level_id>/pathways/<int:pathway_id>/edit",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def framework_pathway_edit(framework_id: int, level_id: int, pathway_id: int) -> str | Response:
    """Rename a pathway."""
    framework = _framework_or_404(framework_id)
    level = _level_or_404(framework, level_id)
    return _pathway_form(framework, level, _pathway_or_404(level, pathway_id))


@bp.route(
    "/frameworks/<int:framework_id>/levels/<int:level_id>/pathways/<int:pathway_id>/remove",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def framework_pathway_remove(framework_id: int, level_id: int, pathway_id: int) -> str | Response:
    """Remove a pathway nothing uses, after confirming."""
    framework = _framework_or_404(framework_id)
    level = _level_or_404(framework, level_id)
    pathway = _pathway_or_404(level, pathway_id)
    form = ConfirmForm()
    uses = framework_io.pathway_uses(pathway.id)
    if form.validate_on_submit():
        name = pathway.name
        done = _save(
            form,
            lambda: service.remove_pathway(pathway),
            f"Pathway {name} removed from {level.name}.",
            _detail(framework, "#levels"),
        )
        if done:
            return done
    return render_template(
        "capability/framework_pathway_remove.html",
        form=form,
        framework=framework,
        level=level,
        pathway=pathway,
        uses=uses,
    )


# --- descriptors ---------------------------------------------------------------------------


@bp.route(
    "/frameworks/<int:framework_id>/descriptors/<int:domain_id>/<int:level_id>",
    methods=["GET", "POST"],
)
@roles_required(*EDITORS)
def framework_descriptor(framework_id: int, domain_id: int, level_id: int) -> str | Response:
    """Write what a domain looks like at a level; blank text removes the descriptor."""
    framework = _framework_or_404(framework_id)
    domain: FrameworkDomain = _item_or_404(framework, "domain", domain_id)
    level = _level_or_404(framework, level_id)
    current = service.descriptors_of(framework).get((domain.id, level.id))
    form = DescriptorForm(obj=current if request.method == "GET" else None)
    if form.validate_on_submit():
        blank = not (form.text.data or "").strip()
        done = _save(
            form,
            lambda: service.set_descriptor(domain, level, form.text.data),
            f"Descriptor for {domain.name} at {level.name} " + ("removed." if blank else "saved."),
            _detail(framework, f"#descriptors-{level.id}"),
        )
        if done:
            return done
    return render_template(
        "capability/framework_descriptor_form.html",
        form=form,
        framework=framework,
        domain=domain,
        level=level,
        current=current,
    )


# --- import --------------------------------------------------------------------------------


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _upload_prefix(fmt: str) -> str:
    return f"framework-{current_user.id}-{fmt}"


def _remove_stale_uploads() -> None:
    remove_stale_uploads(_upload_folder(), "framework-*")


@bp.route("/frameworks/import", methods=["GET", "POST"])
@roles_required(*EDITORS)
def framework_import() -> str:
    """Upload a YAML or CSV file; list every problem, or show what would change."""
    _remove_stale_uploads()
    form = FrameworkImportForm()
    plan = None
    confirm = None
    fmt = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(framework_io.MAX_FILE_BYTES + 1)
        filename = upload.filename or ""
        fmt = framework_io.file_format(filename)
        plan = framework_io.check_framework_file(content, filename)
        if not plan.errors and fmt is not None:
            token = keep_upload(_upload_folder(), _upload_prefix(fmt), content, filename)
            confirm = ConfirmFrameworkImportForm(token=token, format=fmt)
        db.session.rollback()
    return render_template(
        "capability/framework_import.html",
        form=form,
        plan=plan,
        confirm=confirm,
        fmt=fmt,
        max_kb=framework_io.MAX_FILE_BYTES // 1024,
        columns=framework_io.CSV_COLUMNS,
    )


@bp.route("/frameworks/import/confirm", methods=["POST"])
@roles_required(*EDITORS)
def framework_import_confirm() -> Response:
    """Import a checked file, checking it again first; all or nothing."""
    form = ConfirmFrameworkImportForm()
    if not form.validate_on_submit():
        abort(400)
    _remove_stale_uploads()
    fmt = form.format.data
    path = find_upload(_upload_folder(), _upload_prefix(fmt), form.token.data)
    if path is None:
        flash("That upload has expired or was already imported. Upload the file again.", "error")
        return redirect(url_for("capability.framework_import"))
    plan = framework_io.check_framework_file(path.read_bytes(), f"upload.{fmt}")
    if plan.errors:
        db.session.rollback()
        flash(
            "The framework changed since the file was checked. Upload it again to see why.", "error"
        )
        return redirect(url_for("capability.framework_import"))
    framework = framework_io.apply_framework_import(plan, source=f"framework file ({fmt}, web)")
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(f"Import complete. {plan.describe()}", "success")
    return redirect(_detail(framework))
