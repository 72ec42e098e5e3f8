"""Portal finance pages, mounted at /portal/finance/ (namespace "finance_portal")."""

from . import urls_credit, urls_ledger, urls_statements

app_name = "finance_portal"
urlpatterns = [*urls_ledger.portal_urlpatterns, *urls_credit.portal_urlpatterns,
               *urls_statements.portal_urlpatterns]
