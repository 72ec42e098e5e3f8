"""Finance API, the credit part."""


def register(router):
    return []
