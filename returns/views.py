from django.shortcuts import render

from oms.web import member_required


@member_required
def return_list(request):
    # Returns, claims and inspection arrive with their own issue; the section exists so navigation is stable.
    return render(request, "returns/return_list.html")
