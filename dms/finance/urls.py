"""Back-office pages, mounted at /backoffice/finance/."""

app_name = "finance"
urlpatterns = []
