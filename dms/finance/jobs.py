"""Finance's daily jobs (run by dms.notifications.jobs; each is idempotent). Imported from
FinanceConfig.ready()."""

from dms.notifications.jobs import register_job

from . import scoring, statements

register_job("finance_monthly_statements")(statements.generate_monthly)
register_job("finance_overdue_holds")(scoring.apply_overdue_holds)
register_job("finance_credit_scores")(scoring.score_all)
