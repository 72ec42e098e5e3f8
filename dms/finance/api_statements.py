"""Finance API, the statements part."""


def register(router):
    return []
