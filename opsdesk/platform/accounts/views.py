from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsdesk.platform.http import safe_next_url

from .services import user_set_language


@require_POST
def language_set(request):
    """Switch language: stored on the user when signed in, and in a cookie for everyone."""
    language = request.POST.get("language", "")
    next_url = safe_next_url(request, "/")
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        try:
            user_set_language(user=request.user, language=language)
        except ValidationError:
            return HttpResponseBadRequest(_("Unknown language."))
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 60 * 60,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
