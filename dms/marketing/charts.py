"""Chart.js configurations of the feedback analysis page (drawn by core's charts.js)."""

from django.utils.translation import gettext as _


def _number(value):
    return float(value) if value is not None else None  # JSON for the chart only, never stored


def analysis_charts(data: dict) -> dict:
    months = data["by_month"]
    return {
        "months": {
            "type": "bar",
            "data": {"labels": [m["label"] for m in months], "datasets": [
                {"type": "bar", "label": _("Feedback"), "data": [m["count"] for m in months], "yAxisID": "y",
                 "order": 1, "maxBarThickness": 56},
                {"type": "line", "label": _("Average rating"), "data": [_number(m["average"]) for m in months],
                 "yAxisID": "rating", "tension": 0.3, "order": 0},
            ]},
            "options": {"scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}},
                                   "rating": {"position": "right", "min": 0, "max": 5,
                                              "grid": {"drawOnChartArea": False}}}},
        },
        "categories": {
            "type": "doughnut",
            "data": {"labels": [g["label"] for g in data["by_category"]],
                     "datasets": [{"label": _("Feedback"), "data": [g["count"] for g in data["by_category"]]}]},
            "options": {"plugins": {"legend": {"position": "right"}}},
        },
        "provinces": _bars(data["by_province"][:10], _("Feedback")),
        "products": _bars(data["by_product"][:10], _("Feedback")),
    }


def _bars(groups, label):
    return {
        "type": "bar",
        "data": {"labels": [g["label"] or "—" for g in groups],
                 "datasets": [{"label": label, "data": [g["count"] for g in groups], "maxBarThickness": 28}]},
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}},
                    "scales": {"x": {"beginAtZero": True, "ticks": {"precision": 0}}}},
    }
