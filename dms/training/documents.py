"""The completion certificate (结业证书) as a PDF. Callers pass a completion they already
fetched within the user's scope. The QR code leads to the public verification page, which
shows only the certificate number, the course and whether it is valid — the token in its
address is random, so certificates cannot be enumerated."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dms.core.pdf import qr_svg, render_pdf

from .models import Completion

TEMPLATE = "training/pdf/certificate.html"


def verify_url(completion: Completion) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("training_portal:verify", args=[completion.token])


def certificate_context(completion: Completion) -> dict:
    c = Completion.objects.select_related("course", "user", "distributor").get(pk=completion.pk)
    return {
        "completion": c,
        "person": c.user.get_full_name() or c.user.username,
        "date": timezone.localtime(c.completed_at),
        "company_name": getattr(settings, "COMPANY_NAME", "") or _("Distributor Management System"),
        "qr": qr_svg(verify_url(c)),
        "verify_url": verify_url(c),
    }


def certificate_pdf(completion: Completion, **options) -> bytes:
    """Issued in the site's language (Chinese by default), whoever downloads it."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(TEMPLATE, certificate_context(completion), **options)


def filename(completion: Completion) -> str:
    return f"{completion.certificate_number}.pdf"
