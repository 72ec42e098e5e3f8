"""REST API of crm."""


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    return []
