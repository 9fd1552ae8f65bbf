"""A measure's figures: actuals (entered measures only), targets for a period or a span of
periods, and benchmarks; each added, changed, or removed after confirming."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from workforce.blueprints.performance import bp
from workforce.blueprints.performance.common import editable_measure
from workforce.blueprints.performance.forms import (
    ActualForm,
    BenchmarkForm,
    ConfirmForm,
    TargetForm,
)
from workforce.blueprints.refusals import put_error
from workforce.extensions import db
from workforce.metrics.periods import EXAMPLES, period_containing, period_key
from workforce.models.performance import COMPARATORS, Measure, MeasureBenchmark, MeasureFigure
from workforce.security import roles_required
from workforce.services import ServiceError
from workforce.services import performance as service


def _plain(value: Decimal | None) -> str:
    """A stored figure as a form shows it: 73.5, 100 (no trailing zeros)."""
    return "" if value is None else format(value.normalize(), "f")


def _back(measure: Measure, anchor: str = "figures") -> Response:
    return redirect(url_for("performance.measure_detail", measure_id=measure.id) + f"#{anchor}")


def _editable_figure(figure_id: int) -> MeasureFigure:
    figure = db.session.get(MeasureFigure, figure_id) or abort(404)
    editable_measure(figure.measure_id)
    return figure


def _editable_benchmark(benchmark_id: int) -> MeasureBenchmark:
    benchmark = db.session.get(MeasureBenchmark, benchmark_id) or abort(404)
    editable_measure(benchmark.measure_id)
    return benchmark


def _period_hint(measure: Measure) -> str:
    return EXAMPLES[measure.frequency].capitalize() + "."


# --- actuals ---------------------------------------------------------------------------------------


def _actual_form(measure: Measure, figure: MeasureFigure | None) -> str | Response:
    if measure.computed:
        return render_template("performance/computed_actuals.html", measure=measure)
    form = ActualForm()
    form.period.description = _period_hint(measure)
    if figure is not None and not form.is_submitted():
        form.period.data = period_key(measure.frequency, figure.start)
        form.value.data = _plain(figure.value)
        form.note.data = figure.note or ""
    if form.validate_on_submit():
        try:
            saved = service.save_actual(
                measure, form.period.data, form.value.data, form.note.data, figure=figure
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"Actual for {service.figure_label(saved)} saved", "success")
            return _back(measure)
    return render_template(
        "performance/actual_form.html", form=form, measure=measure, figure=figure
    )


@bp.route("/measures/<int:measure_id>/actuals/new", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def actual_new(measure_id: int) -> str | Response:
    """Enter an actual for a period (entered measures only)."""
    return _actual_form(editable_measure(measure_id), None)


# --- targets ----------------------------------------------------------------------------------------


def _target_form(measure: Measure, figure: MeasureFigure | None) -> str | Response:
    form = TargetForm()
    form.start.description = _period_hint(measure)
    if figure is not None and not form.is_submitted():
        form.start.data = period_key(measure.frequency, figure.start)
        last = period_key(measure.frequency, _last_start(measure, figure))
        form.end.data = "" if last == form.start.data else last
        form.value.data = _plain(figure.value)
        form.note.data = figure.note or ""
    if form.validate_on_submit():
        try:
            saved = service.save_target(
                measure,
                form.start.data,
                form.end.data,
                form.value.data,
                form.note.data,
                figure=figure,
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"Target for {service.figure_label(saved)} saved", "success")
            return _back(measure)
    return render_template(
        "performance/target_form.html", form=form, measure=measure, figure=figure
    )


def _last_start(measure: Measure, figure: MeasureFigure) -> date:
    return period_containing(measure.frequency, figure.end_on).start


@bp.route("/measures/<int:measure_id>/targets/new", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def target_new(measure_id: int) -> str | Response:
    """Set a target for a period or a span of periods."""
    return _target_form(editable_measure(measure_id), None)


# --- changing and removing a figure --------------------------------------------------------------


@bp.route("/figures/<int:figure_id>/edit", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def figure_edit(figure_id: int) -> str | Response:
    """Change an actual or a target."""
    figure = _editable_figure(figure_id)
    if figure.kind == "actual":
        return _actual_form(figure.measure, figure)
    return _target_form(figure.measure, figure)


@bp.route("/figures/<int:figure_id>/delete", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def figure_delete(figure_id: int) -> str | Response:
    """Remove an actual or a target, after confirming."""
    figure = _editable_figure(figure_id)
    measure = figure.measure
    form = ConfirmForm()
    what = f"the {figure.kind} for {service.figure_label(figure)}"
    if form.validate_on_submit():
        service.delete_figure(figure)
        db.session.commit()
        flash(f"Removed {what}", "success")
        return _back(measure)
    return render_template(
        "performance/delete.html",
        form=form,
        measure=measure,
        what=what,
        value=figure.value,
        note=figure.note,
    )


# --- benchmarks -------------------------------------------------------------------------------------


def _benchmark_form(measure: Measure, benchmark: MeasureBenchmark | None) -> str | Response:
    form = BenchmarkForm()
    form.period.description = (
        _period_hint(measure) + " Leave blank when the source does not say which period."
    )
    if benchmark is not None and not form.is_submitted():
        form.comparator.data = benchmark.comparator
        form.period.data = period_key(measure.frequency, benchmark.start) if benchmark.start else ""
        form.value.data = _plain(benchmark.value)
        form.note.data = benchmark.note or ""
    if form.validate_on_submit():
        try:
            saved = service.save_benchmark(
                measure,
                form.comparator.data,
                form.period.data,
                form.value.data,
                form.note.data,
                benchmark=benchmark,
            )
        except ServiceError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(f"{COMPARATORS[saved.comparator]} figure saved", "success")
            return _back(measure, "benchmarks")
    return render_template(
        "performance/benchmark_form.html", form=form, measure=measure, benchmark=benchmark
    )


@bp.route("/measures/<int:measure_id>/benchmarks/new", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def benchmark_new(measure_id: int) -> str | Response:
    """Add a comparator's figure."""
    return _benchmark_form(editable_measure(measure_id), None)


@bp.route("/benchmarks/<int:benchmark_id>/edit", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def benchmark_edit(benchmark_id: int) -> str | Response:
    """Change a comparator's figure."""
    benchmark = _editable_benchmark(benchmark_id)
    return _benchmark_form(benchmark.measure, benchmark)


@bp.route("/benchmarks/<int:benchmark_id>/delete", methods=["GET", "POST"])
@roles_required(*service.EDITORS)
def benchmark_delete(benchmark_id: int) -> str | Response:
    """Remove a comparator's figure, after confirming."""
    benchmark = _editable_benchmark(benchmark_id)
    measure = benchmark.measure
    form = ConfirmForm()
    when = f" for {period_key(measure.frequency, benchmark.start)}" if benchmark.start else ""
    what = f"the {service.comparator_words(benchmark.comparator)} figure{when}"
    if form.validate_on_submit():
        service.delete_benchmark(benchmark)
        db.session.commit()
        flash(f"Removed {what}", "success")
        return _back(measure, "benchmarks")
    return render_template(
        "performance/delete.html",
        form=form,
        measure=measure,
        what=what,
        value=benchmark.value,
        note=benchmark.note,
    )
