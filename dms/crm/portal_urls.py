"""Portal pages, mounted at /portal/crm/ (namespace "crm_portal")."""

app_name = "crm_portal"
urlpatterns = []
