"""Portal pages, mounted at /portal/service/ (namespace "service_portal")."""

app_name = "service_portal"
urlpatterns = []
