"""Small forms of the variant page: receive goods, correct or count stock. They only parse input; the ledger
(``inventory.services``) decides and refuses."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse
from oms.web import AllYesNoSelect

MAX_UNITS = 1_000_000


class YesNoSelect(AllYesNoSelect):
    """A yes/no filter that shows the chosen value. ``AllYesNoSelect`` formats the value as a string, and Django
    marks an option selected when its value is ``in`` that string, which the "all" option's ``""`` always is;
    a one-item list, as ``Select`` formats it, compares whole values."""

    def format_value(self, value):
        return [super().format_value(value)]


def show_chosen_yes_no(form: forms.Form) -> forms.Form:
    """Swap the filter bar's yes/no drop-downs for ones that show the value from the URL."""
    for field in form.fields.values():
        if isinstance(field.widget, AllYesNoSelect):
            field.widget = YesNoSelect(attrs=field.widget.attrs)
    return form


class _WarehouseForm(forms.Form):
    warehouse = forms.TypedChoiceField(label=_("Warehouse"), coerce=int)

    def __init__(self, *args, warehouses: list[Warehouse], **kwargs):
        super().__init__(*args, **kwargs)
        self.warehouses = {w.pk: w for w in warehouses}
        self.fields["warehouse"].choices = [(w.pk, w.name) for w in warehouses]
        if len(warehouses) == 1:
            self.fields["warehouse"].initial = warehouses[0].pk
        for bound in self.fields.values():
            if not isinstance(bound.widget, forms.RadioSelect | forms.HiddenInput):
                bound.widget.attrs.setdefault("class", "input")

    def chosen_warehouse(self) -> Warehouse:
        return self.warehouses[self.cleaned_data["warehouse"]]


class ReceiveForm(_WarehouseForm):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_UNITS)
    reference = forms.CharField(label=_("Document"), max_length=200, required=False,
                                help_text=_("Delivery note or purchase order number."))
    reason = forms.CharField(label=_("Comment"), max_length=1000, required=False)
    # One receipt per rendered form: a double click or a resubmitted page books the goods once.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4().hex


class AdjustForm(_WarehouseForm):
    COUNT, DELTA = "count", "delta"

    mode = forms.ChoiceField(
        label=_("How"),
        choices=[(COUNT, _("Counted quantity (stocktake)")), (DELTA, _("Change by (+/−)"))],
        initial=COUNT,
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=-MAX_UNITS, max_value=MAX_UNITS)
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def clean(self):
        data = super().clean()
        mode, quantity = data.get("mode"), data.get("quantity")
        if quantity is None:
            return data
        if mode == self.COUNT and quantity < 0:
            self.add_error("quantity", _("A counted quantity cannot be negative."))
        if mode == self.DELTA and quantity == 0:
            self.add_error("quantity", _("The change must not be zero."))
        return data

    def service_arguments(self) -> dict:
        """``delta`` or ``new_quantity`` for ``inventory.services.adjust``."""
        if self.cleaned_data["mode"] == self.DELTA:
            return {"delta": self.cleaned_data["quantity"]}
        return {"new_quantity": self.cleaned_data["quantity"]}
