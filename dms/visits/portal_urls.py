"""Portal pages, mounted at /portal/visits/ (namespace "visits_portal")."""

app_name = "visits_portal"
urlpatterns = []
