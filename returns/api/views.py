from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.api.schema import tenant_schema
from oms.api.views import TenantReadOnlyViewSet
from oms.choices import Capability
from returns import selectors, services
from returns.api.serializers import (
    ApproveSerializer,
    ClaimAnswerSerializer,
    ClaimDetailSerializer,
    ClaimSerializer,
    InspectSerializer,
    MarketplaceRefusalSerializer,
    RejectSerializer,
    RestockSerializer,
    ReturnDetailSerializer,
    ReturnSerializer,
    ScanSerializer,
    WriteOffSerializer,
)
from returns.filters import ClaimFilterSet, ReturnFilterSet
from returns.models import Claim, Return
from returns.services import MarketplaceAnswer, ReturnActionError

REFUSED = OpenApiResponse(description=_("The return's state does not allow this, or the input is invalid."))
MARKETPLACE_REFUSED = OpenApiResponse(
    MarketplaceRefusalSerializer, description=_("The marketplace refused (its message is in ``detail``); nothing changed.")
)


def _action_schema(request, summary: str, operation_id: str | None = None):
    return extend_schema(
        request=request, summary=summary, operation_id=operation_id,
        responses={200: ReturnDetailSerializer, 400: REFUSED, 404: OpenApiResponse(description=_("No such return.")),
                   409: MARKETPLACE_REFUSED},
    )


def _refused(answer: MarketplaceAnswer) -> Response:
    return Response({"detail": answer.message, "marketplace_refused": True}, status=status.HTTP_409_CONFLICT)


@tenant_schema
@extend_schema_view(retrieve=extend_schema(responses=ReturnDetailSerializer))
class ReturnViewSet(TenantReadOnlyViewSet):
    """Returns, non-purchases, cancellations and claims of every connection, with their lines; the actions move a
    return through its lifecycle (forward only) and answer through the marketplace where it allows."""

    model = Return
    serializer_class = ReturnSerializer
    filterset_class = ReturnFilterSet
    ordering_fields = ["id", "requested_at", "deadline_at", "status", "amount", "created_at", "updated_at"]
    write_capability = Capability.WORK_ORDERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no tenant
            return Return.all_tenants.none()
        queryset = selectors.return_list().order_by("-requested_at", "-pk")
        if self.action != "list":
            queryset = queryset.prefetch_related(Prefetch("claims", queryset=Claim.objects.order_by("deadline_at", "pk")))
        return queryset

    def get_serializer_class(self):
        return ReturnSerializer if self.action == "list" else ReturnDetailSerializer

    def _act(self, request, input_class, run: Callable[[Return, Any], Any]) -> Response:
        ret = self.get_object()
        data = input_class(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        try:
            outcome = run(ret, data)
        except ReturnActionError as exc:
            raise serializers.ValidationError({"non_field_errors": [exc.message]})
        if isinstance(outcome, MarketplaceAnswer) and not outcome.ok:
            return _refused(outcome)
        return Response(ReturnDetailSerializer(self.get_queryset().get(pk=ret.pk)).data)

    @_action_schema(ScanSerializer, _("Receive the return a scanned code names"), operation_id="returns_receive_scanned")
    @action(detail=False, methods=["post"], url_path="receive")
    def receive_scan(self, request):
        data = ScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            ret = services.mark_received(None, request.user, barcode=data.validated_data["code"])
        except ReturnActionError as exc:
            raise serializers.ValidationError({"code": [exc.message]})
        return Response(ReturnDetailSerializer(self.get_queryset().get(pk=ret.pk)).data)

    @_action_schema(None, _("Mark the return received"))
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self._act(request, serializers.Serializer, lambda ret, data: services.mark_received(ret, request.user))

    @_action_schema(InspectSerializer, _("Record the inspection outcome"))
    @action(detail=True, methods=["post"])
    def inspect(self, request, pk=None):
        return self._act(request, InspectSerializer, lambda ret, data: services.inspect(
            ret, request.user, data.validated_data["outcome"], data.validated_data["note"]))

    @_action_schema(RestockSerializer, _("Put inspected units back into stock (a ledger row per line)"))
    @action(detail=True, methods=["post"])
    def restock(self, request, pk=None):
        return self._act(request, RestockSerializer, lambda ret, data: services.restock(
            ret, request.user, data.validated_data["warehouse"], data.validated_data.get("location"),
            data.chosen_lines()))

    @_action_schema(WriteOffSerializer, _("Write off inspected units (they never re-enter stock)"))
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        return self._act(request, WriteOffSerializer, lambda ret, data: services.write_off(
            ret, request.user, data.validated_data["reason"], data.chosen_lines()))

    @_action_schema(ApproveSerializer, _("Approve the buyer's request through the marketplace"))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, ApproveSerializer, lambda ret, data: services.approve(
            ret, request.user, data.validated_data["comment"]))

    @_action_schema(RejectSerializer, _("Reject the buyer's request through the marketplace"))
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, RejectSerializer, lambda ret, data: services.reject(
            ret, request.user, data.validated_data["reason"], data.validated_data["comment"]))


@tenant_schema
@extend_schema_view(retrieve=extend_schema(responses=ClaimDetailSerializer))
class ClaimViewSet(TenantReadOnlyViewSet):
    """Buyers' and marketplaces' claims with their answer deadlines; ``answer`` replies through the marketplace."""

    model = Claim
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
    ordering_fields = ["id", "deadline_at", "status", "created_at", "answered_at"]
    write_capability = Capability.WORK_ORDERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Claim.all_tenants.none()
        return selectors.claim_list().order_by("deadline_at", "pk")

    def get_serializer_class(self):
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    @extend_schema(
        request=ClaimAnswerSerializer, summary=_("Answer the claim through the marketplace"),
        responses={200: ClaimDetailSerializer, 400: REFUSED, 404: OpenApiResponse(description=_("No such claim.")),
                   409: MARKETPLACE_REFUSED},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        claim = self.get_object()
        data = ClaimAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            outcome = services.answer_claim(claim, request.user, data.validated_data["decision"],
                                            data.validated_data["comment"])
        except ReturnActionError as exc:
            raise serializers.ValidationError({"decision": [exc.message]})
        if not outcome.ok:
            return _refused(outcome)
        return Response(ClaimDetailSerializer(self.get_queryset().get(pk=claim.pk)).data)
