"""Performance: the measures and their judgements (``overview``), each measure's
turn-the-curve page, its settings, commentary and actions (``measures``), its figures:
actuals, targets and benchmarks (``figures``), and uploading figures from a file
(``upload``).

Senior leaders, HR and L&D officers read every page; HR and L&D officers change the
measures their role owns, administrators every measure."""

from flask import Blueprint

bp = Blueprint("performance", __name__, url_prefix="/performance")

from workforce.blueprints.performance import (  # noqa: E402,F401
    figures,
    measures,
    overview,
    upload,
)
