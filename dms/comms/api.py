"""REST API of comms."""


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    return []
