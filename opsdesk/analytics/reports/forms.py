"""HTML input parsing only: the monthly report picker and the schedule form."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stores.models import Region

from .models import validate_recipients
from .monthly import parse_month


class MonthlyReportForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), to_field_name="code"
    )
    month = forms.CharField(label=_("Month"), help_text=_("YYYY-MM"), max_length=7)
    format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "XLSX"), ("pdf", "PDF")], initial="xlsx"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).order_by("code")

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError(_("Enter the month as YYYY-MM."))
        return month


class ReportScheduleForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("All regions"),
    )
    recipients = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Email addresses, separated by commas or new lines."),
        validators=[validate_recipients],
    )
    day_of_month = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=28,
        help_text=_("1 to 28: the report of the previous month is sent on this day."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).order_by("code")
