"""Finance API, the ledger part."""


def register(router):
    return []
