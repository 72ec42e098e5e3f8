def internal_path(url: str | None, default: str) -> str:
    """``url`` if it is a path of this site ("/…"), else ``default``: never another host
    ("//evil", "/\\evil", "https://…"), so user-supplied ``next`` values and stored links
    cannot send anyone elsewhere."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if url and url.startswith("/") and not url.startswith(("//", "/\\")) and url_has_allowed_host_and_scheme(
        url, allowed_hosts=None
    ):
        return url
    return default
