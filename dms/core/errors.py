"""Domain errors: raised by services, mapped to one JSON shape by the API and to
messages by the pages."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, code=None, fields=None, extra=None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        # Structured details added to the API's error object (e.g. the short lines).
        self.extra = extra or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400
    default_message = _("Some fields are invalid.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409

    def __init__(self, current, target):
        self.current, self.target = current, target
        super().__init__(
            _("Cannot change status from “%(current)s” to “%(target)s”.") % {"current": current, "target": target}
        )


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotAllowed(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")
