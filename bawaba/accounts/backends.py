"""Signing in by mobile number (citizens) or username (staff), always with the password."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from bawaba.accounts.models import User
from bawaba.core.errors import ValidationFailed
from bawaba.notifications.recipients import normalise_phone


class PhoneOrUsernameBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        phone: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if password is None:
            return None
        if phone is not None:
            try:
                address = normalise_phone(phone).address
            except ValidationFailed:
                User().set_password(password)  # the same work as a real check, so timing tells nothing
                return None
            user = User.objects.filter(phone=address, deleted_at__isnull=True).first()
            if user is None:
                User().set_password(password)
                return None
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
