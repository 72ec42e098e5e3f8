"""Back-office pages, mounted at /backoffice/comms/."""

app_name = "comms"
urlpatterns = []
