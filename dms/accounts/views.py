import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import LoginForm, OtpForm

PENDING = "pending_otp_user"


def lockout_response(request, credentials, *args, **kwargs):
    """Shown by django-axes after too many failures for this user from this IP."""
    message = _("Too many failed login attempts. Try again later or reset your password.")
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}}}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


class LoginView(auth_views.LoginView):
    """Password first; staff with a TOTP device then give a one-time code."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user_has_device(user, confirmed=True):
            self.request.session[PENDING] = user.pk
            self.request.session["pending_otp_backend"] = user.backend
            self.request.session["pending_otp_next"] = self.get_success_url()
            self.request.session["pending_otp_tries"] = 0
            return redirect("accounts:otp")
        return super().form_valid(form)


def otp_verify(request):
    user_id = request.session.get(PENDING)
    if not user_id:
        return redirect("accounts:login")
    user = get_user_model().objects.get(pk=user_id)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next(
            (d for d in TOTPDevice.objects.filter(user=user, confirmed=True) if d.verify_token(form.cleaned_data["token"])),
            None,
        )
        if device:
            next_url = request.session.get("pending_otp_next") or "/"
            backend = request.session.get("pending_otp_backend")
            for key in (PENDING, "pending_otp_next", "pending_otp_backend", "pending_otp_tries"):
                request.session.pop(key, None)
            login(request, user, backend=backend)
            otp_login(request, device)
            return redirect(next_url)
        tries = request.session.get("pending_otp_tries", 0) + 1
        request.session["pending_otp_tries"] = tries
        if tries >= 5:
            request.session.flush()
            messages.error(request, _("Too many wrong codes. Log in again."))
            return redirect("accounts:login")
        form.add_error("token", _("The code is wrong or has expired."))
    return render(request, "accounts/otp.html", {"form": form})


def _qr_svg(uri: str) -> str:
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


@login_required
def security(request):
    """Password change link and two-factor set-up."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    form = OtpForm(request.POST or None)
    if request.method == "POST" and pending and form.is_valid():
        if services.confirm_totp(device=pending, token=form.cleaned_data["token"]):
            otp_login(request, pending)
            messages.success(request, _("Two-factor login is on."))
            return redirect("accounts:security")
        form.add_error("token", _("The code is wrong or has expired."))
    context = {"confirmed": confirmed, "pending": pending, "form": form, "nav": "security"}
    if pending:
        context["qr"] = _qr_svg(pending.config_url)
        context["secret"] = base64.b32encode(pending.bin_key).decode()
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def otp_start(request):
    services.start_totp_setup(user=request.user)
    return redirect("accounts:security")


@login_required
@require_POST
def otp_disable(request):
    if not services.disable_totp(user=request.user, password=request.POST.get("password", "")):
        messages.error(request, _("The password is wrong; two-factor login stays on."))
    else:
        messages.success(request, _("Two-factor login is off."))
    return redirect("accounts:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def simple(template):
    def view(request, *args, **kwargs):
        return render(request, template)

    return view


