"""The finance API: the ledger's documents (api_ledger), credit (api_credit), statements
and settlements (api_statements)."""

from . import api_credit, api_ledger, api_statements


def register(router):
    return [*api_ledger.register(router), *api_credit.register(router), *api_statements.register(router)]
