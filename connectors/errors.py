"""Classified marketplace errors. Each carries a message fit for the seller (Russian via i18n) and the raw detail."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from connectors.choices import ConnectionStatus


class MarketplaceError(Exception):
    """Base of every error a connector raises. ``status`` is what the Connection shows afterwards."""

    status = ConnectionStatus.ERROR
    retryable = False
    title = _("Marketplace error")

    def __init__(self, detail: str = "", *, http_status: int | None = None, retry_after: float | None = None):
        super().__init__(detail or str(self.title))
        self.detail = detail
        self.http_status = http_status
        self.retry_after = retry_after

    def user_message(self) -> str:
        return f"{self.title}: {self.detail}" if self.detail else str(self.title)


class AuthRejected(MarketplaceError):
    status = ConnectionStatus.AUTH_FAILED
    title = _("The marketplace rejected the credentials")


class RateLimited(MarketplaceError):
    status = ConnectionStatus.RATE_LIMITED
    retryable = True
    title = _("The marketplace limited the request rate")


class MarketplaceUnavailable(MarketplaceError):
    status = ConnectionStatus.UNAVAILABLE
    retryable = True
    title = _("The marketplace is not answering")


class BadRequest(MarketplaceError):
    title = _("The marketplace refused the request")


class NotFound(BadRequest):
    title = _("The marketplace does not know this object")


class Conflict(BadRequest):
    title = _("The marketplace refused the change in the current state")


class OperationNotSupported(MarketplaceError):
    """The marketplace's API has no such operation. Raised deliberately, with the reason, never a silent no-op."""

    title = _("Not available through this marketplace's API")


class ConfigurationError(MarketplaceError):
    """The connection lacks something it needs (a campaign id, a warehouse mapping…)."""

    title = _("The connection is not fully configured")
