"""Back-office pages, mounted at /backoffice/service/."""

app_name = "service"
urlpatterns = []
