"""The feature apps' parts of the generated tenant-isolation walks.

Each app in settings.DMS_FEATURE_APPS has ``dms/<app>/tests/isolation.py`` naming which
object each of its route parameters refers to and creating one object of every kind for
the victim distributor; tests/test_api_isolation.py and tests/test_page_isolation.py
merge them into their own tables.
"""

from importlib import import_module

from django.conf import settings


def plugins():
    return [import_module(f"dms.{app}.tests.isolation") for app in settings.DMS_FEATURE_APPS]


def merged(attribute):
    """The union of one table (dict or set) over the feature apps."""
    tables = [getattr(p, attribute) for p in plugins()]
    if all(isinstance(t, dict) for t in tables):
        return {k: v for t in tables for k, v in t.items()}
    return set().union(*tables)


def victim_objects(*, distributor, owner, staff):
    ids, secrets = {}, []
    for plugin in plugins():
        more_ids, more_secrets = plugin.victim_objects(distributor=distributor, owner=owner, staff=staff)
        ids.update(more_ids)
        secrets.extend(more_secrets)
    return ids, secrets
