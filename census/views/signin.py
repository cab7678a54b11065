"""The sign-in page (django-axes counts the failures; the page says how many are allowed)."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from census.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "failure_limit": settings.AXES_FAILURE_LIMIT}
