"""Panels this app adds to the back-office and portal dashboards."""


def backoffice_panel(request):
    """Return (template_name, context) for the back-office dashboard, or None."""
    return None


def portal_panel(request, distributor):
    """Return (template_name, context) for the portal home page, or None."""
    return None
