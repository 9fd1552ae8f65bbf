"""Training views: upcoming and past sessions, a session's page and calendar file, and, for
L&D officers, scheduling, bookings and the waiting list, registers and register imports.

Everyone signed in sees the session lists and pages, their own booking and (supervisors)
the bookings of people they manage; L&D officers and admins see every booking and make
every change. The rules themselves live in ``workforce.services.training_sessions``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import false, or_, select, true
from werkzeug.wrappers import Response
from wtforms import Field, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from workforce.blueprints.options import options
from workforce.blueprints.people.forms import ConfirmImportForm, date_field
from workforce.blueprints.refusals import put_error
from workforce.blueprints.training import bp
from workforce.blueprints.training.evaluations import schedule_follow_ups
from workforce.extensions import db
from workforce.models import Booking, Staff, TrainingSession
from workforce.models.training import ATTENDANCE, BOOKING_STATUSES, SESSION_STATUSES
from workforce.pagination import paginate
from workforce.reports.registry import get as get_report
from workforce.security import managed_staff_ids, roles_required
from workforce.services import ServiceError, evaluations
from workforce.services import training_sessions as service
from workforce.services.attendance_import import (
    COLUMNS,
    apply_attendance_import,
    plan_attendance_import,
    template_frame,
)
from workforce.services.people import StaffFilters, staff_list_query
from workforce.services.tabular import find_upload, keep_upload, read_table, remove_stale_uploads
from workforce.spreadsheets import frame_to_csv, frame_to_xlsx

#: Roles that schedule sessions, book people and keep registers (admin holds every role).
OFFICERS = ("ld_officer",)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_filter("clock")
def _clock_filter(value: datetime | time | None) -> str:
    return service.clock(value) if value is not None else ""


# --- forms ------------------------------------------------------------------------------


class ClockField(Field):
    """A time of day typed as 09:30 (or 9.30, 2pm)."""

    widget = GovTextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime("%H:%M") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the time; blank is no time."""
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if text:
            self.data = service.parse_clock(text)
            if self.data is None:
                raise ValueError(
                    f"Enter the {self.label.text.lower()} as hours and minutes, like 09:30"
                )


class WholeNumberField(IntegerField):
    """An integer field whose 'not a number' message names the field."""

    widget = GovTextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse a whole number."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a whole number") from error


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class SessionForm(FlaskForm):
    """A session's course, date, times, place, trainer, places and status."""

    course_id = SelectField(
        "Course",
        widget=GovSelect(),
        coerce=_int_or_none,
        validators=[InputRequired("Select a course")],
    )
    day = date_field("Date")
    start = ClockField(
        "Start time",
        description="24-hour clock, for example 09:30",
        validators=[InputRequired("Enter the start time")],
    )
    end = ClockField(
        "End time",
        description="For example 16:30",
        validators=[InputRequired("Enter the end time")],
    )
    venue_id = SelectField(
        "Venue", widget=GovSelect(), coerce=_int_or_none, validators=[Optional()]
    )
    location_detail = StringField(
        "Room or joining details",
        widget=GovTextInput(),
        description="For example, Room 2, or 'Online (Teams link sent by email)'",
        validators=[Optional(), Length(max=200)],
    )
    trainer = StringField(
        "Trainer", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    capacity = WholeNumberField(
        "Places",
        description="How many people can be booked. Anyone booked when it is full goes on the waiting list.",
        validators=[
            InputRequired("Enter the number of places"),
            NumberRange(1, service.MAX_CAPACITY, "Places must be at least 1"),
        ],
    )
    status = SelectField("Status", widget=GovSelect(), validators=[InputRequired()])
    submit = SubmitField("Save session", widget=GovSubmitInput())

    def __init__(self, *args: Any, session: TrainingSession | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        course_id = session.course_id if session else None
        venue_id = session.venue_id if session else None
        self.course_id.choices = options(
            [("", "Select a course"), *service.course_choices(course_id)]
        )
        self.venue_id.choices = options(
            [("", "No venue (online or elsewhere)"), *service.venue_choices(venue_id)]
        )
        statuses = ["scheduled", "completed"]
        if session is not None and session.status == "cancelled":
            statuses.append("cancelled")
        self.status.choices = options([(s, SESSION_STATUSES[s]) for s in statuses])
        self.status.description = (
            "Completed once the session has run. To cancel it, use 'Cancel session' on its page."
            if session is None or session.status != "cancelled"
            else "Set it back to scheduled to reinstate the session and its bookings."
        )

    def details(self) -> service.SessionDetails:
        """The entered values for the service."""
        return service.SessionDetails(
            course_id=self.course_id.data,
            day=self.day.data,
            start=self.start.data,
            end=self.end.data,
            capacity=self.capacity.data,
            venue_id=self.venue_id.data,
            location_detail=self.location_detail.data,
            trainer=self.trainer.data,
            status=self.status.data,
        )


class ReasonForm(FlaskForm):
    """Why something is cancelled."""

    reason = TextAreaField(
        "Reason for cancelling",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the reason for cancelling"), Length(max=2000)],
    )
    submit = SubmitField("Cancel", widget=GovSubmitInput())


class BookForm(FlaskForm):
    """Book one person (the search page has one per person)."""

    staff_id = IntegerField(validators=[InputRequired()])
    q = StringField(validators=[Optional()])
    submit = SubmitField("Book", widget=GovSubmitInput())


class RegisterForm(FlaskForm):
    """The register: one attendance choice per booked place, read from the request."""

    submit = SubmitField("Save register", widget=GovSubmitInput())


class MarkAllForm(FlaskForm):
    """Mark every booked place attended."""

    submit = SubmitField("Mark all attended", widget=GovSubmitInput())


class AttendanceFileForm(FlaskForm):
    """Upload a register."""

    file = FileField(
        "Register file (CSV or XLSX)",
        widget=GovFileInput(),
        validators=[
            FileRequired("Choose a CSV or XLSX file"),
            FileAllowed(["csv", "xlsx"], "The file must be a CSV or XLSX file"),
        ],
    )
    submit = SubmitField("Check file", widget=GovSubmitInput())


# --- helpers ----------------------------------------------------------------------------


def _is_officer() -> bool:
    return bool(current_user.has_role(*OFFICERS))


def _session_or_404(session_id: int) -> TrainingSession:
    return db.session.get(TrainingSession, session_id) or abort(404)


def _course_page() -> bool:
    """Whether the catalogue has a course page to link to."""
    return "training.course_detail" in current_app.view_functions


def _evaluations_page() -> bool:
    """Whether there is a page of a session's evaluations to link to."""
    return "training.evaluation_session" in current_app.view_functions


def _form_error(form: Any, error: ServiceError) -> None:
    put_error(form, error)


def _apply(
    form: Any, change: Callable[[], Any], done: Callable[[Any], Response]
) -> Response | None:
    """Make a change; on refusal put the message on the form and return None, else commit."""
    try:
        result = change()
    except ServiceError as error:
        db.session.rollback()
        _form_error(form, error)
        return None
    db.session.commit()
    return done(result)


def _names(bookings: list[Booking]) -> str:
    return ", ".join(b.staff.full_name for b in bookings)


def _visible_staff_condition() -> Any:
    """Whose bookings the user may see: everyone (officers), else themselves and, for
    supervisors, the people they manage."""
    if _is_officer():
        return true()
    conditions = []
    if current_user.staff_id is not None:
        conditions.append(Staff.id == current_user.staff_id)
        if current_user.has_role("supervisor"):
            conditions.append(Staff.id.in_(managed_staff_ids(current_user.staff_id)))
    return or_(*conditions) if conditions else false()


def _month_from(text: str) -> date | None:
    match = MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _month_choices(past: bool) -> list[tuple[str, str]]:
    today = date.today().replace(day=1)
    months = []
    for step in range(24 if past else 12):
        offset = -step if past else step
        year, month = divmod(today.month - 1 + offset, 12)
        first = date(today.year + year, month + 1, 1)
        months.append((f"{first:%Y-%m}", f"{first:%B %Y}"))
    return months


# --- lists and pages --------------------------------------------------------------------


def _related_links() -> dict[str, Any]:
    """What the Training page links to for this user, with the counts shown on the links:
    their own record and sessions to evaluate, follow-ups waiting for a supervisor, and an
    officer's evaluations still to enter."""
    staff_id = current_user.staff_id
    supervisor = staff_id is not None and current_user.has_role("supervisor")
    officer = _is_officer()
    if supervisor or officer:
        schedule_follow_ups()
    report, compliance = get_report("training"), get_report("training-compliance")
    return {
        "is_supervisor": supervisor,
        "own_staff_id": staff_id,
        "to_evaluate": len(evaluations.sessions_to_evaluate(staff_id)) if staff_id else 0,
        "follow_ups_mine": evaluations.count_rows(
            evaluations.follow_ups_query(current_user, scope="mine", state="due")
        )
        if supervisor
        else 0,
        "follow_ups_all": evaluations.count_rows(
            evaluations.follow_ups_query(current_user, scope="all", state="due")
        )
        if officer
        else 0,
        "evaluations_missing": evaluations.count_rows(
            evaluations.evaluation_worklist_query(outstanding_only=True)
        )
        if officer
        else 0,
        "reports_page": report is not None and report.visible_to(current_user),
        "compliance_page": compliance is not None and compliance.visible_to(current_user),
    }


@bp.route("/")
@login_required
def index() -> str:
    """Upcoming sessions (or, with ?when=past, past ones), filtered by course and month."""
    past = request.args.get("when") == "past"
    course = request.args.get("course", "")
    filters = service.SessionFilters(
        course_id=int(course) if course.isdigit() else None,
        month=_month_from(request.args.get("month", "")),
        past=past,
    )
    page = paginate(
        service.session_list_query(filters),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    own = service.own_booking_statuses(current_user.staff_id, [row[0].id for row in page.rows])
    return render_template(
        "training/index.html",
        **_related_links(),
        page=page,
        filters=filters,
        past=past,
        courses=[("", "All courses"), *service.all_course_choices()],
        months=[("", "Any month"), *_month_choices(past)],
        month_value=f"{filters.month:%Y-%m}" if filters.month else "",
        own=own,
        booking_statuses=BOOKING_STATUSES,
        statuses=SESSION_STATUSES,
        is_officer=_is_officer(),
        course_page=_course_page(),
    )


@bp.route("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int) -> str:
    """A session's details, its calendar file, and the bookings the user may see."""
    session = _session_or_404(session_id)
    everyone = service.session_bookings(session)
    waiting_position = {b.id: n for n, b in enumerate(everyone["waiting"], start=1)}
    if _is_officer():
        shown = everyone
    else:
        ids = {b.staff_id for group in everyone.values() for b in group}
        visible = (
            set(
                db.session.scalars(
                    select(Staff.id).where(Staff.id.in_(ids), _visible_staff_condition())
                )
            )
            if ids
            else set()
        )
        shown = {k: [b for b in v if b.staff_id in visible] for k, v in everyone.items()}
    return render_template(
        "training/session_detail.html",
        session=session,
        counts=service.place_counts(session),
        bookings=shown,
        waiting_position=waiting_position,
        own_staff_id=current_user.staff_id,
        is_officer=_is_officer(),
        show_managed=current_user.has_role("supervisor") and current_user.staff_id is not None,
        course_page=_course_page(),
        evaluations_page=_evaluations_page(),
        evaluation_form=("training.evaluation_form" in current_app.view_functions),
        location=service.session_location(session),
        statuses=SESSION_STATUSES,
        attendance=ATTENDANCE,
        has_ended=session.ends_at <= service.local_now(),
    )


@bp.route("/sessions/<int:session_id>/calendar.ics")
@login_required
def session_calendar(session_id: int) -> Response:
    """The session as an iCalendar event."""
    session = _session_or_404(session_id)
    body = service.session_calendar(
        session,
        uid_domain=request.host.split(":")[0] or "workforce",
        url=url_for("training.session_detail", session_id=session.id, _external=True),
        stamp=datetime.now().astimezone(),
    )
    slug = re.sub(r"[^a-z0-9]+", "-", session.course.title.lower()).strip("-")[:60] or "session"
    return send_file(
        io.BytesIO(body.encode("utf-8")),
        mimetype="text/calendar",
        as_attachment=True,
        download_name=f"{slug}-{session.starts_at:%Y-%m-%d}.ics",
    )


# --- scheduling -------------------------------------------------------------------------


def _to_session(session: TrainingSession, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("training.session_detail", session_id=session.id))


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def session_new() -> str | Response:
    """Schedule a session of a course."""
    form = SessionForm()
    if request.method == "GET":
        course = request.args.get("course", "")
        form.course_id.data = int(course) if course.isdigit() else None
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: service.create_session(form.details()),
            lambda session: _to_session(session, "Session scheduled."),
        )
        if done:
            return done
    return render_template("training/session_form.html", form=form, session=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def session_edit(session_id: int) -> str | Response:
    """Change a session's details, places or status."""
    session = _session_or_404(session_id)
    form = SessionForm(obj=session, session=session)
    if request.method == "GET":
        form.day.data = session.starts_at.date()
        form.start.data = session.starts_at.time()
        form.end.data = session.ends_at.time()

    def saved(promoted: list[Booking]) -> Response:
        message = "Session saved."
        if promoted:
            message += f" Moved from the waiting list into the new places: {_names(promoted)}."
        return _to_session(session, message)

    if form.validate_on_submit():
        done = _apply(form, lambda: service.update_session(session, form.details()), saved)
        if done:
            return done
    return render_template("training/session_form.html", form=form, session=session)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def session_cancel(session_id: int) -> str | Response:
    """Cancel a session, with a reason."""
    session = _session_or_404(session_id)
    form = ReasonForm()
    form.submit.label.text = "Cancel session"
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: service.cancel_session(session, form.reason.data),
            lambda _: _to_session(session, "Session cancelled. Its bookings are kept."),
        )
        if done:
            return done
    return render_template(
        "training/session_cancel.html",
        form=form,
        session=session,
        counts=service.place_counts(session),
    )


# --- bookings ---------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/book")
@roles_required(*OFFICERS)
def session_book(session_id: int) -> str:
    """Find staff by name or staff number to book onto the session."""
    session = _session_or_404(session_id)
    q = request.args.get("q", "").strip()[:100]
    page = None
    existing: dict[int, str] = {}
    if q:
        page = paginate(
            staff_list_query(current_user, StaffFilters(q=q, status="current")),
            page=request.args.get("page", 1, type=int),
            per_page=current_app.config["PAGE_SIZE"],
        )
        ids = [row[0].id for row in page.rows]
        existing = dict(
            db.session.execute(
                select(Booking.staff_id, Booking.status).where(
                    Booking.session_id == session.id, Booking.staff_id.in_(ids or [-1])
                )
            ).all()
        )
    return render_template(
        "training/session_book.html",
        session=session,
        q=q,
        page=page,
        existing=existing,
        counts=service.place_counts(session),
        booking_statuses=BOOKING_STATUSES,
        form=None,
        book_form=BookForm(),
    )


@bp.route("/sessions/<int:session_id>/bookings", methods=["POST"])
@roles_required(*OFFICERS)
def session_book_post(session_id: int) -> Response:
    """Book a person: a place if one is free, otherwise the waiting list."""
    session = _session_or_404(session_id)
    form = BookForm()
    if not form.validate_on_submit():
        abort(400)
    staff = db.session.get(Staff, form.staff_id.data) or abort(404)
    back = redirect(url_for("training.session_book", session_id=session.id, q=form.q.data or None))
    try:
        booking = service.book(session, staff)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return back
    db.session.commit()
    if booking.status == "booked":
        flash(f"{staff.full_name} is booked on this session.", "success")
    else:
        position = service.place_counts(session).waiting
        flash(
            f"The session is full, so {staff.full_name} is on the waiting list "
            f"(number {position}). They will be moved into the first place that frees.",
            "info",
        )
    return back


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def booking_cancel(booking_id: int) -> str | Response:
    """Cancel a booking (or a place on the waiting list), with a reason."""
    booking = db.session.get(Booking, booking_id) or abort(404)
    session = booking.session
    form = ReasonForm()
    form.submit.label.text = "Cancel booking"
    name = booking.staff.full_name

    def cancelled(promoted: Booking | None) -> Response:
        message = f"{name}'s booking has been cancelled."
        if promoted is not None:
            message += (
                f" {promoted.staff.full_name} has been moved from the waiting list into the place."
            )
        return _to_session(session, message)

    if form.validate_on_submit():
        done = _apply(form, lambda: service.cancel_booking(booking, form.reason.data), cancelled)
        if done:
            return done
    return render_template(
        "training/session_booking_cancel.html",
        form=form,
        booking=booking,
        session=session,
        booking_statuses=BOOKING_STATUSES,
    )


# --- the register -----------------------------------------------------------------------


def _register_page(session: TrainingSession, form: RegisterForm, marks: dict[int, Any]) -> str:
    bookings = service.session_bookings(session)
    return render_template(
        "training/register.html",
        session=session,
        form=form,
        mark_all=MarkAllForm(),
        bookings=bookings,
        marks=marks,
        attendance=ATTENDANCE,
        has_ended=session.ends_at <= service.local_now(),
    )


def _register_done(session: TrainingSession, result: service.RegisterResult) -> Response:
    message = f"Register saved: {result.changed} mark{'' if result.changed == 1 else 's'} changed."
    if result.completed:
        message += " The session has ended and everyone booked is marked, so it is now completed."
    return _to_session(session, message)


@bp.route("/sessions/<int:session_id>/register", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def register(session_id: int) -> str | Response:
    """Mark each booked place attended, partly attended or did not attend."""
    session = _session_or_404(session_id)
    form = RegisterForm()
    marks: dict[int, Any] = {}
    if form.validate_on_submit():
        wrong = False
        for key, value in request.form.items():
            if key.startswith("attendance-") and key[11:].isdigit():
                if value and value not in ATTENDANCE:
                    wrong = True
                marks[int(key[11:])] = value or None
        if wrong:
            form.submit.errors = ["Choose attended, partly attended or did not attend"]
        else:
            done = _apply(
                form,
                lambda: service.mark_register(session, marks),
                lambda result: _register_done(session, result),
            )
            if done:
                return done
    return _register_page(session, form, marks)


@bp.route("/sessions/<int:session_id>/register/all", methods=["POST"])
@roles_required(*OFFICERS)
def register_all(session_id: int) -> str | Response:
    """Mark every booked place attended."""
    session = _session_or_404(session_id)
    form = MarkAllForm()
    if not form.validate_on_submit():
        abort(400)
    register_form = RegisterForm(formdata=None)
    done = _apply(
        register_form,
        lambda: service.mark_all_attended(session),
        lambda result: _register_done(session, result),
    )
    return done or _register_page(session, register_form, {})


# --- register import --------------------------------------------------------------------


def _imports_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _upload_prefix(session: TrainingSession) -> str:
    return f"attendance-{current_user.id}-{session.id}"


@bp.route("/sessions/<int:session_id>/register/import", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def register_import(session_id: int) -> str:
    """Upload a register; show every bad row, or a preview of what would change."""
    session = _session_or_404(session_id)
    remove_stale_uploads(_imports_folder(), "attendance-*")
    form = AttendanceFileForm()
    plan = None
    confirm = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        try:
            table = read_table(content, upload.filename or "")
        except ValueError as error:
            form.file.errors.append(str(error))
        else:
            plan = plan_attendance_import(table, session_id=session.id)
            if not plan.errors:
                token = keep_upload(
                    _imports_folder(), _upload_prefix(session), content, upload.filename or ""
                )
                confirm = ConfirmImportForm(token=token)
            db.session.rollback()
    return render_template(
        "training/attendance_import.html",
        session=session,
        form=form,
        plan=plan,
        confirm=confirm,
        columns=COLUMNS,
    )


@bp.route("/sessions/<int:session_id>/register/import/confirm", methods=["POST"])
@roles_required(*OFFICERS)
def register_import_confirm(session_id: int) -> Response:
    """Import a checked register, checking it again first; all or nothing."""
    session = _session_or_404(session_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    path = find_upload(_imports_folder(), _upload_prefix(session), form.token.data)
    if path is None:
        flash("That upload has expired or was already imported. Upload the file again.", "error")
        return redirect(url_for("training.register_import", session_id=session.id))
    plan = plan_attendance_import(read_table(path.read_bytes(), path.name), session_id=session.id)
    if plan.errors:
        db.session.rollback()
        flash(
            "The bookings changed since the file was checked. Upload it again to see why.", "error"
        )
        return redirect(url_for("training.register_import", session_id=session.id))
    completed = apply_attendance_import(plan, source="attendance import (web)")
    db.session.commit()
    path.unlink(missing_ok=True)
    message = f"Register imported. {plan.describe()}"
    if completed:
        message += " The session has ended and everyone booked is marked, so it is now completed."
    return _to_session(session, message)


@bp.route("/sessions/<int:session_id>/register/template.<fmt>")
@roles_required(*OFFICERS)
def register_template(session_id: int, fmt: str) -> Response:
    """The register template for this session (everyone booked), as CSV or XLSX."""
    session = _session_or_404(session_id)
    frame = template_frame(session)
    if fmt == "csv":
        data, mimetype = frame_to_csv(frame), "text/csv"
    elif fmt == "xlsx":
        data, mimetype = frame_to_xlsx(frame, sheet_name="Register"), XLSX
    else:
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"register-session-{session.id}.{fmt}",
    )
