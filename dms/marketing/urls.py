"""Back-office pages, mounted at /backoffice/marketing/."""

app_name = "marketing"
urlpatterns = []
