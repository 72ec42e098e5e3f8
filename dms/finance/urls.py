"""Back-office finance pages, mounted at /backoffice/finance/: the ledger and its documents
(urls_ledger), credit (urls_credit), statements, settlements and reports (urls_statements)."""

from . import urls_credit, urls_ledger, urls_statements

app_name = "finance"
urlpatterns = [*urls_ledger.urlpatterns, *urls_credit.urlpatterns, *urls_statements.urlpatterns]
