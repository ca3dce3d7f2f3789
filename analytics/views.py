from django.shortcuts import render

from oms.web import member_required


@member_required
def overview(request):
    # Finance ledger, profit and forecasts arrive with their own issues; no numbers are made up meanwhile.
    return render(request, "analytics/overview.html")
