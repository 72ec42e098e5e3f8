"""Finance URL patterns of the statements part (merged by urls.py and portal_urls.py)."""

from django.urls import path

from . import views_reports, views_statements, views_statements_portal

urlpatterns = [
    path("statements/", views_statements.statement_list, name="statements"),
    path("statements/generate/", views_statements.statement_generate, name="statement_generate"),
    path("statements/disputes/", views_statements.dispute_queue, name="statement_disputes"),
    path("statements/<int:pk>/", views_statements.statement_detail, name="statement"),
    path("statements/<int:pk>/resolve/", views_statements.statement_resolve, name="statement_resolve"),
    path("statements/<int:pk>/pdf/", views_statements.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/xlsx/", views_statements.statement_xlsx, name="statement_xlsx"),
    path("settlements/", views_statements.settlement_list, name="settlements"),
    path("settlements/new/", views_statements.settlement_create, name="settlement_create"),
    path("settlements/<int:pk>/", views_statements.settlement_detail, name="settlement"),
    path("settlements/<int:pk>/<slug:action>/", views_statements.settlement_action, name="settlement_action"),
    path("reports/aging/", views_reports.aging, name="aging"),
    path("reports/collections/", views_reports.collections, name="collections"),
    path("reports/exposure/", views_reports.exposure, name="exposure"),
    path("reports/scores/<int:pk>/", views_reports.score, name="score"),
    path("reports/dashboard-panel/", views_reports.dashboard_panel, name="dashboard_panel"),
]

portal_urlpatterns = [
    path("statements/", views_statements_portal.statement_list, name="statements"),
    path("statements/<int:pk>/", views_statements_portal.statement_detail, name="statement"),
    path("statements/<int:pk>/confirm/", views_statements_portal.statement_confirm, name="statement_confirm"),
    path("statements/<int:pk>/dispute/", views_statements_portal.statement_dispute, name="statement_dispute"),
    path("statements/<int:pk>/pdf/", views_statements_portal.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/xlsx/", views_statements_portal.statement_xlsx, name="statement_xlsx"),
]
