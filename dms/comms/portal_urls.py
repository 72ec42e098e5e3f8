"""Portal pages, mounted at /portal/comms/ (namespace "comms_portal")."""

app_name = "comms_portal"
urlpatterns = []
