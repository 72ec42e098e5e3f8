"""Finance: the double-entry journal, the documents that post to it, and credit.

The journal (``JournalEntry`` + ``JournalLine``) is the truth and is append-only: a
correction is a reversing entry. Each distributor has one ``DistributorAccount`` row that
caches its balances (receivable, prepayment, rebate, deposit) and carries its credit
(limit, approved-but-uninvoiced orders, hold). Postings update the cache in the same
transaction, under that row's lock; ``manage.py check_finance`` proves cache = journal.

Sign conventions (all amounts are ``Decimal`` with 2 places):
* receivable is debit-normal (debit − credit): what the distributor owes on invoices;
* prepayment, rebate and deposit are credit-normal (credit − debit): money the brand
  holds for the distributor — paid in advance, granted as rebate, or prepayment already
  applied to an approved order that is not invoiced yet.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.audit.mixins import AuditedModel
from dms.core.scoping import TenantManager

ZERO = Decimal("0.00")


def money(verbose, **kwargs):
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose, max_digits=18, decimal_places=2, **kwargs)


class Account(models.TextChoices):
    """Ledger accounts. The first four exist per distributor; the rest are the brand's."""

    RECEIVABLE = "receivable", _("Receivable")
    PREPAYMENT = "prepayment", _("Prepayment")
    REBATE = "rebate", _("Rebate")
    DEPOSIT = "deposit", _("Prepayment applied to orders")
    BANK = "bank", _("Bank and cash")
    REVENUE = "revenue", _("Sales revenue")
    VAT = "vat_output", _("Output VAT")
    SALES_ADJUSTMENT = "sales_adjustment", _("Returns and price adjustments")
    REBATE_EXPENSE = "rebate_expense", _("Rebate expense")


DISTRIBUTOR_ACCOUNTS = (Account.RECEIVABLE, Account.PREPAYMENT, Account.REBATE, Account.DEPOSIT)
DEBIT_NORMAL = {Account.RECEIVABLE, Account.BANK, Account.SALES_ADJUSTMENT, Account.REBATE_EXPENSE}


class PaymentTerms(models.Model):
    """When an invoice falls due: ``days`` after the invoice date, or after the end of the
    invoice's month when ``from_month_end`` (月结)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    days = models.PositiveSmallIntegerField(_("days"), default=30, validators=[MaxValueValidator(365)])
    from_month_end = models.BooleanField(_("from the end of the month"), default=False)

    class Meta:
        ordering = ["from_month_end", "days"]
        verbose_name = _("payment terms")
        verbose_name_plural = _("payment terms")

    def __str__(self):
        return self.name


class TierCreditPolicy(models.Model):
    """Defaults given to a new distributor of a tier."""

    tier = models.OneToOneField("distributors.Tier", verbose_name=_("tier"), on_delete=models.CASCADE,
                                related_name="credit_policy")
    credit_limit = money(_("credit limit"))
    payment_terms = models.ForeignKey(PaymentTerms, verbose_name=_("payment terms"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("tier credit policy")
        verbose_name_plural = _("tier credit policies")

    def __str__(self):
        return str(self.tier)


class DistributorAccount(models.Model):
    """A distributor's money and credit, one row each: the row locked by every posting and
    by the order credit check."""

    distributor = models.OneToOneField("distributors.Distributor", verbose_name=_("distributor"),
                                       on_delete=models.PROTECT, related_name="finance_account")
    receivable = money(_("receivable"))
    prepayment = money(_("prepayment"))
    rebate = money(_("rebate"))
    deposit = money(_("prepayment applied to orders"))
    credit_limit = money(_("credit limit"))
    # Approved orders' amounts not invoiced yet (they use credit until invoiced).
    open_orders = money(_("approved, not invoiced"))
    # Prepayment set aside for submitted orders (PREPAYMENT_DEDUCT_AT = "shipment").
    prepayment_reserved = money(_("prepayment reserved"))
    payment_terms = models.ForeignKey(PaymentTerms, verbose_name=_("payment terms"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    prepayment_only = models.BooleanField(_("prepayment only"), default=False)
    on_hold = models.BooleanField(_("on credit hold"), default=False)
    hold_reason = models.CharField(_("hold reason"), max_length=255, blank=True)
    hold_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    # Who set prepayment_only / on_hold: "" by finance (lifted by finance only), or the
    # nightly rule that may lift it again ("score", "overdue"; see finance.scoring).
    prepayment_only_source = models.CharField(_("prepayment only set by"), max_length=16, blank=True)
    hold_source = models.CharField(_("hold set by"), max_length=16, blank=True)
    score = models.PositiveSmallIntegerField(_("credit score"), null=True, blank=True)
    score_updated_at = models.DateTimeField(_("score updated at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("distributor account")
        verbose_name_plural = _("distributor accounts")
        permissions = [
            ("change_credit_limit", _("Can change credit limits")),
            ("release_credit_hold", _("Can release or reject orders on credit hold")),
            ("post_journal", _("Can record payments, invoices and credit notes")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="finance_credit_limit_not_negative"),
            models.CheckConstraint(condition=Q(open_orders__gte=0), name="finance_open_orders_not_negative"),
            models.CheckConstraint(condition=Q(prepayment_reserved__gte=0) & Q(prepayment_reserved__lte=models.F(
                "prepayment")), name="finance_prepayment_reserved_within_balance"),
            models.CheckConstraint(condition=Q(rebate__gte=0), name="finance_rebate_not_negative"),
            models.CheckConstraint(condition=Q(deposit__gte=0), name="finance_deposit_not_negative"),
        ]

    def __str__(self):
        return str(self.distributor)

    @property
    def available_credit(self) -> Decimal:
        return self.credit_limit - self.receivable - self.open_orders

    def balance(self, account) -> Decimal:
        return getattr(self, Account(account).value)


class CreditLimitChange(models.Model):
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.CASCADE, related_name="credit_limit_changes")
    old_limit = money(_("old limit"))
    new_limit = money(_("new limit"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("credit limit change")
        verbose_name_plural = _("credit limit changes")


class CreditScore(models.Model):
    """One nightly computation: the score, the factors behind it and the limit it suggests."""

    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.CASCADE, related_name="credit_scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])
    factors = models.JSONField(_("factors"), default=list)
    suggested_limit = money(_("suggested limit"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("credit score")
        verbose_name_plural = _("credit scores")
        indexes = [models.Index(fields=["distributor", "-computed_at"])]


class JournalEntry(models.Model):
    """One balanced posting (Σ debit = Σ credit). Never changed; ``reverses`` points at the
    entry a reversal cancels (at most one reversal each)."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        PAYMENT = "payment", _("Payment")
        ALLOCATION = "allocation", _("Allocation")
        CREDIT_NOTE = "credit_note", _("Credit note")
        REBATE = "rebate", _("Rebate granted")
        PREPAYMENT_APPLIED = "prepayment_applied", _("Prepayment applied")
        SETTLEMENT = "settlement", _("Settlement")
        REVERSAL = "reversal", _("Reversal")

    number = models.CharField(_("number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="journal_entries")
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = TenantManager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [models.Index(fields=["distributor", "posted_at"])]

    def __str__(self):
        return self.number


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(_("account"), max_length=24, choices=Account.choices)
    # Set on the distributor's own accounts; the brand's accounts carry it too, for reports.
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="+")
    debit = money(_("debit"))
    credit = money(_("credit"))
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["posted_at", "id"]
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        indexes = [models.Index(fields=["distributor", "account", "posted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gte=0) & Q(credit__gte=0) & (Q(debit=0) | Q(credit=0)) & ~Q(debit=0, credit=0)),
                name="finance_line_one_side_positive"),
        ]


class Invoice(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=24, unique=True)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="invoices")
    shipment = models.OneToOneField("logistics.Shipment", verbose_name=_("shipment"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="invoice")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    net_amount = money(_("amount before tax"))
    tax_amount = money(_("tax"))
    total_amount = money(_("total"))
    paid_amount = money(_("paid"))  # allocated payments, prepayment, rebate and credit notes
    entry = models.OneToOneField(JournalEntry, verbose_name=_("journal entry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="invoice")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=models.F("total_amount")),
                                   name="finance_invoice_paid_within_total"),
            models.UniqueConstraint(fields=["order"], condition=Q(shipment__isnull=True) & ~Q(status="cancelled"),
                                    name="finance_one_order_invoice"),
        ]
        indexes = [models.Index(fields=["distributor", "status", "due_date"])]

    def __str__(self):
        return self.number

    @property
    def open_amount(self) -> Decimal:
        return self.total_amount - self.paid_amount


class InvoiceLine(models.Model):
    """Prices include VAT. Per line: amount = quantity × unit price; tax = amount × rate /
    (1 + rate); net = amount − tax; each rounded half-up to the cent once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = money(_("unit price"))
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, default=Decimal("0.13"))
    net_amount = money(_("amount before tax"))
    tax_amount = money(_("tax"))
    amount = money(_("amount"))

    objects = TenantManager("invoice__distributor")

    class Meta:
        ordering = ["id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")


class Payment(models.Model):
    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    number = models.CharField(_("number"), max_length=24, unique=True)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="payments")
    amount = money(_("amount"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=255, blank=True)
    # The part not allocated to invoices, credited to the prepayment account.
    to_prepayment = money(_("to prepayment"))
    entry = models.OneToOneField(JournalEntry, verbose_name=_("journal entry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="payment")
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_payment_positive"),
            models.UniqueConstraint(fields=["recorded_by", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False), name="finance_payment_idempotency_key"),
        ]

    def __str__(self):
        return self.number


class CreditNote(models.Model):
    class Kind(models.TextChoices):
        RETURN = "return", _("Return")
        PRICE_ADJUSTMENT = "price_adjustment", _("Price adjustment")
        REBATE = "rebate", _("Rebate")

    number = models.CharField(_("number"), max_length=24, unique=True)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="credit_notes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="credit_notes")
    return_request = models.OneToOneField("orders.ReturnRequest", verbose_name=_("return"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="credit_note")
    reason = models.CharField(_("reason"), max_length=255)
    net_amount = money(_("amount before tax"))
    tax_amount = money(_("tax"))
    total_amount = money(_("total"))
    entry = models.OneToOneField(JournalEntry, verbose_name=_("journal entry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="credit_note")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [models.CheckConstraint(condition=Q(total_amount__gt=0), name="finance_credit_note_positive")]

    def __str__(self):
        return self.number


class Allocation(models.Model):
    """Part of an invoice settled from one source: a payment, the prepayment account, the
    rebate account, prepayment applied to the order (deposit) or a credit note."""

    class Source(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        PREPAYMENT = "prepayment", _("Prepayment")
        REBATE = "rebate", _("Rebate")
        DEPOSIT = "deposit", _("Prepayment applied to the order")
        CREDIT_NOTE = "credit_note", _("Credit note")

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
                                related_name="allocations")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="allocations")
    credit_note = models.ForeignKey(CreditNote, verbose_name=_("credit note"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="allocations")
    amount = money(_("amount"))
    entry = models.ForeignKey(JournalEntry, verbose_name=_("journal entry"), on_delete=models.PROTECT,
                              related_name="allocations")
    reversed = models.BooleanField(_("reversed"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TenantManager("invoice__distributor")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="finance_allocation_positive")]


class OrderPayment(models.Model):
    """An order's money before it is invoiced, from its approval (or from its submission
    when it uses prepayment or rebate): the credit it takes (``credit_amount``, given back
    as it is invoiced — ``credit_released`` — or when it is cancelled) and the part paid
    from prepayment and rebate, reserved at submission or deducted at approval
    (settings.FINANCE_PREPAYMENT_DEDUCT_AT)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RESERVED = "reserved", _("Reserved")
        DEDUCTED = "deducted", _("Deducted")
        INVOICED = "invoiced", _("Applied to the invoice")
        RELEASED = "released", _("Released")

    order = models.OneToOneField("orders.Order", verbose_name=_("order"), on_delete=models.CASCADE,
                                 related_name="finance_payment")
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="+")
    prepayment_amount = money(_("from prepayment"))
    rebate_amount = money(_("from rebate"))
    credit_amount = money(_("credit taken"))
    credit_released = money(_("credit given back"))
    rebate_deducted = models.BooleanField(_("rebate deducted"), default=False)
    # How much of the prepayment and rebate has been applied to the order's invoices so far.
    applied_amount = money(_("applied to invoices"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("order payment")
        verbose_name_plural = _("order payments")


class BankImport(models.Model):
    file_name = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = models.Manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")

    def __str__(self):
        return self.file_name


class BankLine(models.Model):
    """One credit line of an imported bank statement, matched to a distributor (and
    invoices) by suggestion, then recorded as a payment or ignored by finance."""

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("Unmatched")
        SUGGESTED = "suggested", _("Match suggested")
        RECORDED = "recorded", _("Recorded")
        IGNORED = "ignored", _("Ignored")

    bank_import = models.ForeignKey(BankImport, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField(_("row"))
    booked_on = models.DateField(_("date"))
    amount = money(_("amount"))
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNMATCHED)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    suggested_invoices = models.ManyToManyField(Invoice, verbose_name=_("suggested invoices"), blank=True,
                                                related_name="+")
    match_reason = models.CharField(_("why"), max_length=255, blank=True)
    payment = models.OneToOneField(Payment, verbose_name=_("payment"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="bank_line")

    class Meta:
        ordering = ["bank_import", "row"]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")


class Statement(models.Model):
    """对账单: a distributor's balance over a period. balance = receivable − prepayment −
    deposit (what it owes, negative when in credit); closing = opening + the movements."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        DISPUTED = "disputed", _("Disputed")
        RESOLVED = "resolved", _("Dispute resolved")

    number = models.CharField(_("number"), max_length=24, unique=True)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="statements")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    opening_balance = money(_("opening balance"))
    invoices_amount = money(_("invoices"))
    payments_amount = money(_("payments"))
    credit_notes_amount = money(_("credit notes"))
    rebates_amount = money(_("rebates"))
    other_amount = money(_("other"))
    closing_balance = money(_("closing balance"))
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("generated by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = TenantManager()

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        permissions = [("manage_statement", _("Can generate statements and resolve disputes"))]
        constraints = [models.UniqueConstraint(fields=["distributor", "period_start", "period_end"],
                                               name="finance_one_statement_per_period")]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("finance:statement", args=[self.pk])


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    entry = models.ForeignKey(JournalEntry, verbose_name=_("journal entry"), on_delete=models.PROTECT,
                              related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=24, choices=JournalEntry.Kind.choices)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    debit = money(_("debit"))
    credit = money(_("credit"))
    balance = money(_("balance"))

    objects = TenantManager("statement__distributor")

    class Meta:
        ordering = ["statement", "date", "id"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")


class StatementDispute(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="disputes")
    line = models.ForeignKey(StatementLine, verbose_name=_("line"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="disputes")
    comment = models.TextField(_("comment"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = TenantManager("statement__distributor")

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = _("statement dispute")
        verbose_name_plural = _("statement disputes")


class Settlement(AuditedModel):
    """结算单: a payout to a distributor (its rebate balance, or another amount owed to it),
    approved by finance before it is posted."""

    class Kind(models.TextChoices):
        REBATE = "rebate", _("Rebate payout")
        PREPAYMENT_REFUND = "prepayment_refund", _("Prepayment refund")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved and posted")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.DRAFT},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    number = models.CharField(_("number"), max_length=24, unique=True)
    distributor = models.ForeignKey("distributors.Distributor", verbose_name=_("distributor"),
                                    on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    description = models.CharField(_("description"), max_length=255, blank=True)
    entry = models.OneToOneField(JournalEntry, verbose_name=_("journal entry"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="settlement")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=255, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        permissions = [("approve_settlement", _("Can approve settlements"))]

    def __str__(self):
        return self.number
