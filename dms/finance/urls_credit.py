"""Finance URL patterns of the credit part (merged by urls.py and portal_urls.py)."""

urlpatterns = []
portal_urlpatterns = []
