"""Portal pages, mounted at /portal/training/ (namespace "training_portal")."""

app_name = "training_portal"
urlpatterns = []
