"""Back-office training forms. They only parse input; the services check the rules and
their field errors are put back with ``dms.core.forms.apply_service_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dms.distributors.models import Tier

from .models import Course, MandatoryCourse, Material, Question, TrainingSession

OPTION_SLOTS = 6


class CourseForm(forms.ModelForm):
    target_tiers = forms.ModelMultipleChoiceField(
        label=_("Target tiers"), queryset=Tier.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for all tiers."))

    class Meta:
        model = Course
        fields = ["title", "category", "description", "target_tiers", "requires_session", "pass_mark",
                  "max_attempts"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Material.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=128)
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("Documents: PDF, JPG or PNG. Videos: MP4, WebM or MOV."))
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https",
                         help_text=_("For a link, or a video hosted elsewhere."))


class SessionForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=TrainingSession.Mode.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, initial=30)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    meeting_link = forms.URLField(label=_("Meeting link"), max_length=500, required=False, assume_scheme="https")


class QuestionForm(forms.Form):
    """A question with up to six answer options; a true/false question takes its answer
    from ``true_false``."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    true_false = forms.ChoiceField(label=_("The statement is"), required=False,
                                   choices=[("true", _("True")), ("false", _("False"))])

    def __init__(self, *args, question: Question | None = None, **kwargs):
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(question)
        super().__init__(*args, **kwargs)
        for i in range(1, OPTION_SLOTS + 1):
            self.fields[f"option_{i}"] = forms.CharField(label=_("Answer %(n)d") % {"n": i}, max_length=255,
                                                         required=False)
            self.fields[f"correct_{i}"] = forms.BooleanField(label=_("Correct"), required=False)

    @staticmethod
    def initial_for(question: Question) -> dict:
        initial = {"kind": question.kind, "text": question.text}
        options = list(question.options.all())
        if question.kind == Question.Kind.TRUE_FALSE:
            first_true = bool(options) and options[0].is_correct
            initial["true_false"] = "true" if first_true else "false"
        for i, option in enumerate(options[:OPTION_SLOTS], start=1):
            initial[f"option_{i}"], initial[f"correct_{i}"] = option.text, option.is_correct
        return initial

    def slots(self):
        for i in range(1, OPTION_SLOTS + 1):
            yield self[f"option_{i}"], self[f"correct_{i}"]

    def options(self) -> list[tuple[str, bool]]:
        data = self.cleaned_data
        if data["kind"] == Question.Kind.TRUE_FALSE:
            is_true = data.get("true_false") == "true"
            return [(str(_("True")), is_true), (str(_("False")), not is_true)]
        return [(data.get(f"option_{i}", ""), data.get(f"correct_{i}", False)) for i in range(1, OPTION_SLOTS + 1)]


class MandateForm(forms.ModelForm):
    class Meta:
        model = MandatoryCourse
        fields = ["tier", "due_date", "within_days", "required_people"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}
