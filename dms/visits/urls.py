"""Back-office pages, mounted at /backoffice/visits/."""

app_name = "visits"
urlpatterns = []
