"""Portal pages, mounted at /portal/marketing/ (namespace "marketing_portal")."""

app_name = "marketing_portal"
urlpatterns = []
