"""Setting up an organization with its first owner, shared by ``create_organization`` and ``seed_demo``.

Idempotent: asking again for what already exists changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

from oms.choices import Role
from oms.models import Membership, Organization

# Russian Cyrillic in the common "passport" style (щ → shch, ю → yu); the hard and soft signs vanish.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "i",
}


class ProvisioningError(Exception):
    """What was asked for contradicts what exists; ``message`` is fit for the operator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Provisioned:
    organization: Organization
    user: object
    token: str
    created: list[str] = field(default_factory=list)  # what this call created, for the operator

    @property
    def changed(self) -> bool:
        return bool(self.created)


def transliterate(text: str) -> str:
    out = []
    for char in text:
        lower = char.lower()
        latin = _CYRILLIC.get(lower)
        if latin is None:
            out.append(char)
            continue
        out.append(latin.capitalize() if char != lower else latin)
    return "".join(out)


def slug_for(name: str, max_length: int = 80) -> str:
    """A URL slug from an organization's name; Cyrillic is transliterated, never dropped."""
    return slugify(transliterate(name))[:max_length].strip("-") or "organization"


def _unique_slug(name: str) -> str:
    base = slug_for(name, 70)
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def provision_organization(
    name: str, owner_email: str, password: str, *, check_password_strength: bool = True
) -> Provisioned:
    """Ensure the organization ``name`` exists with ``owner_email`` as its owner, and the owner has an API token.

    A missing user is created with ``password``; an existing one must already have that password. An existing
    organization gets the user as an additional owner only when the user is not a member yet; a member with
    another role is an error rather than a silent promotion.
    """
    name = (name or "").strip()
    if not name:
        raise ProvisioningError("The organization name must not be empty.")
    if len(name) > Organization._meta.get_field("name").max_length:
        raise ProvisioningError("The organization name is too long (200 characters at most).")
    email = (owner_email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ProvisioningError(f"{owner_email!r} is not a valid e-mail address.")
    if not password:
        raise ProvisioningError("A password is required.")

    User = get_user_model()  # noqa: N806
    created: list[str] = []
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            if check_password_strength:
                try:
                    validate_password(password, User(email=email))
                except ValidationError as exc:
                    raise ProvisioningError("The password is too weak: " + " ".join(exc.messages))
            user = User.objects.create_user(email=email, password=password)
            created.append(f"user {email}")
        else:
            if not user.check_password(password):
                raise ProvisioningError(
                    f"User {email} already exists with a different password; give that user's current password."
                )
            if not user.is_active:
                raise ProvisioningError(f"User {email} exists but is deactivated.")

        organization = Organization.objects.filter(name=name).first()
        if organization is None:
            organization = Organization.objects.create(name=name, slug=_unique_slug(name))
            created.append(f"organization {name!r} (slug {organization.slug})")

        membership = Membership.objects.filter(user=user, organization=organization).first()
        if membership is None:
            Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
            created.append(f"owner membership of {email}")
        elif membership.role != Role.OWNER:
            raise ProvisioningError(
                f"{email} is already a member of {name!r} with the role {membership.role!r}, not owner; "
                "change the role in the admin instead."
            )

        token, token_created = Token.objects.get_or_create(user=user)
        if token_created:
            created.append(f"API token of {email}")
    return Provisioned(organization=organization, user=user, token=token.key, created=created)
