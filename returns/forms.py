"""Forms of the return actions. Querysets are set per request (a tenant manager refuses to run at import time)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.choices import WarehouseKind
from inventory.models import Location, Warehouse
from returns.choices import InspectionOutcome
from returns.models import Claim, Return, ReturnLine
from returns.services import claim_decisions, remaining

_INPUT = {"class": "input"}


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Scan to receive"), max_length=128,
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "off", "autofocus": True, "inputmode": "text",
                                      "placeholder": _("Barcode, order or return number — Enter")}),
    )


class InspectForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InspectionOutcome.choices,
                                widget=forms.Select(attrs=_INPUT))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))


def _line_fields(form: forms.Form, lines: list[ReturnLine]) -> None:
    """One quantity per line that still has units to decide, named ``line_<id>``, defaulting to all of them."""
    for line in lines:
        left = remaining(line)
        if left <= 0:
            continue
        form.fields[f"line_{line.pk}"] = forms.IntegerField(
            label=line.offer_id or line.name or str(line.pk), min_value=0, max_value=left, initial=left,
            required=False, widget=forms.NumberInput(attrs={**_INPUT, "style": "width:70px"}),
        )


def _chosen(form: forms.Form) -> dict[int, int] | None:
    chosen = {int(name.removeprefix("line_")): value or 0 for name, value in form.cleaned_data.items()
              if name.startswith("line_")}
    return chosen or None


class RestockForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=None, widget=forms.Select(attrs=_INPUT))
    location = forms.ModelChoiceField(label=_("Bin"), queryset=None, required=False,
                                      widget=forms.Select(attrs=_INPUT))

    def __init__(self, ret: Return, lines: list[ReturnLine], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(kind=WarehouseKind.OWN, is_active=True).order_by("name")
        self.fields["location"].queryset = (
            Location.objects.filter(warehouse__kind=WarehouseKind.OWN, is_active=True)
            .select_related("warehouse").order_by("warehouse__name", "walk_order", "code")
        )
        self.fields["location"].label_from_instance = lambda location: f"{location.warehouse.name} / {location.code}"
        if ret.warehouse_id:
            self.fields["warehouse"].initial = ret.warehouse_id
        elif ret.order_id and ret.order.warehouse_id:
            self.fields["warehouse"].initial = ret.order.warehouse_id
        _line_fields(self, [line for line in lines if line.variant_id])

    def clean(self):
        cleaned = super().clean()
        warehouse, location = cleaned.get("warehouse"), cleaned.get("location")
        if warehouse and location and location.warehouse_id != warehouse.pk:
            self.add_error("location", _("This bin is in another warehouse."))
        return cleaned

    def chosen_lines(self) -> dict[int, int] | None:
        return _chosen(self)


class WriteOffForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, ret: Return, lines: list[ReturnLine], *args, **kwargs):
        super().__init__(*args, **kwargs)
        if ret.inspection_outcome and ret.inspection_outcome != InspectionOutcome.OK:
            self.fields["reason"].initial = ret.get_inspection_outcome_display()
        _line_fields(self, lines)

    def chosen_lines(self) -> dict[int, int] | None:
        return _chosen(self)


class DecisionForm(forms.Form):
    """Approve (no reason needed) or reject (reason required) a buyer's request."""

    reason = forms.CharField(label=_("Reason for refusal"), max_length=500, required=False,
                             widget=forms.TextInput(attrs=_INPUT))
    comment = forms.CharField(label=_("Comment to the buyer"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))


class ClaimAnswerForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), max_length=100, widget=forms.TextInput(attrs=_INPUT))
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={**_INPUT, "rows": 3}))

    def __init__(self, claim: Claim, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = claim_decisions(claim)
        if offered:
            # The marketplace lists what it accepts (WB: approve1, reject1…): offer exactly that.
            self.fields["decision"] = forms.ChoiceField(
                label=_("Decision"), choices=[(value, value) for value in offered], widget=forms.Select(attrs=_INPUT)
            )
