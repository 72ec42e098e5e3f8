"""Finance URL patterns of the ledger part (merged by urls.py and portal_urls.py)."""

urlpatterns = []
portal_urlpatterns = []
