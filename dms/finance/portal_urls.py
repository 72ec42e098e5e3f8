"""Portal pages, mounted at /portal/finance/ (namespace "finance_portal")."""

app_name = "finance_portal"
urlpatterns = []
