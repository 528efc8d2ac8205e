"""HTML input parsing only; the rules are in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from stores.models import Store

from .models import ChecklistTemplate, CorrectiveAction, TemplateItem

NOT_APPLICABLE = "__na__"


class AnswerForm(forms.Form):
    value = forms.CharField(required=False, max_length=4000)
    not_applicable = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=2000)
    photo = forms.FileField(required=False)

    def answer_kwargs(self) -> dict:
        data = self.cleaned_data
        not_applicable = data["not_applicable"] or data["value"] == NOT_APPLICABLE
        return {
            "value": None if not_applicable else data["value"],
            "not_applicable": not_applicable,
            "note": data["note"],
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AuditStartForm(forms.Form):
    store = forms.ModelChoiceField(queryset=Store.objects.none(), label=_("Store"))
    template = forms.ModelChoiceField(queryset=ChecklistTemplate.objects.none(), label=_("Audit"))

    def __init__(self, *args, stores, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["template"].queryset = templates


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=CorrectiveAction.Status.choices, label=_("Status"))
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.FileField(label=_("Photo evidence"), required=False)


class TemplateForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChecklistTemplate.Kind.choices)


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=120)
    title_zh = forms.CharField(label=_("Section title (Chinese)"), max_length=120, required=False)


class ItemForm(forms.Form):
    section = forms.TypedChoiceField(label=_("Section"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("Kind"), choices=TemplateItem.Kind.choices)
    prompt = forms.CharField(label=_("Prompt"), max_length=255)
    prompt_zh = forms.CharField(label=_("Prompt (Chinese)"), max_length=255, required=False)
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    instructions_zh = forms.CharField(
        label=_("Instructions (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=100, initial=1)
    critical = forms.BooleanField(label=_("Critical"), required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    min_value = forms.DecimalField(
        label=_("Minimum"), required=False, max_digits=10, decimal_places=2
    )
    max_value = forms.DecimalField(
        label=_("Maximum"), required=False, max_digits=10, decimal_places=2
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=16)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: value | English | Chinese | fail (add “fail” for a failing option)."
        ),
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [(s.pk, s.title) for s in sections]

    def item_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        options = []
        for line in (data.pop("options") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            options.append(
                {
                    "value": parts[0],
                    "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
                    "label_zh": parts[2] if len(parts) > 2 else "",
                    "fails": len(parts) > 3 and parts[3].lower() == "fail",
                }
            )
        data["options"] = options
        data.pop("section")
        return data
