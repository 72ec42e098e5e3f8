"""What each role may do in finance. Finance does the books; channel managers and sales
operations read their distributors' money and credit; distributors read their own through
the portal and the API (their scope, not a permission)."""

_READ = [
    "finance.view_distributoraccount",
    "finance.view_invoice",
    "finance.view_payment",
    "finance.view_creditnote",
    "finance.view_statement",
    "finance.view_settlement",
    "finance.view_journalentry",
]

PERMISSIONS: dict[str, list[str]] = {
    "admin": [*_READ, "finance.change_credit_limit", "finance.release_credit_hold", "finance.post_journal",
              "finance.manage_statement", "finance.add_settlement", "finance.approve_settlement"],
    "finance": [*_READ, "finance.change_credit_limit", "finance.release_credit_hold", "finance.post_journal",
                "finance.manage_statement", "finance.add_settlement", "finance.approve_settlement"],
    "channel_manager": [*_READ, "finance.add_settlement"],
    "sales_ops": _READ,
}
