"""Back-office pages, mounted at /backoffice/crm/."""

app_name = "crm"
urlpatterns = []
