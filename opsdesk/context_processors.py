from django.conf import settings

from opsdesk.platform.roles import user_role


def opsdesk(request):
    user = getattr(request, "user", None)
    return {
        "CURRENCY": settings.CURRENCY,
        "user_role": user_role(user) if user is not None else None,
    }
