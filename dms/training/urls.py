"""Back-office pages, mounted at /backoffice/training/."""

app_name = "training"
urlpatterns = []
