"""Notification preferences: for each category, in-app and e-mail."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category


class PreferencesForm(forms.Form):
    def __init__(self, *args, prefs=None, **kwargs):
        """``prefs``: {category: (in_app, email)} of the user's saved rows (no row: both on)."""
        super().__init__(*args, **kwargs)
        prefs = prefs or {}
        self.rows = []
        for value, label in Category.choices:
            in_app, email = prefs.get(value, (True, True))
            self.fields[f"{value}_in_app"] = forms.BooleanField(label=_("In-app"), required=False, initial=in_app)
            self.fields[f"{value}_email"] = forms.BooleanField(label=_("E-mail"), required=False, initial=email)
            self.rows.append({"category": value, "label": label, "in_app": self[f"{value}_in_app"],
                              "email": self[f"{value}_email"]})

    def choices(self):
        """[(category, in_app, email)] from the cleaned data."""
        return [(value, self.cleaned_data[f"{value}_in_app"], self.cleaned_data[f"{value}_email"])
                for value in Category.values]


class NotificationFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), required=False,
                             choices=[("", _("All")), ("unread", _("Unread"))])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    search = forms.CharField(label=_("Search"), required=False, max_length=100)
