from django.contrib.auth.backends import ModelBackend


def account_usable(user) -> bool:
    """An inactive user, or a user of a suspended or terminated distributor, cannot log in
    and loses every session and token at once (checked on each request)."""
    if user is None or not user.is_active:
        return False
    if user.distributor_id:
        return user.distributor.allows_login
    return True


class DmsModelBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return account_usable(user)

    def get_user(self, user_id):
        from .models import User

        user = User._default_manager.select_related("distributor").filter(pk=user_id).first()
        return user if account_usable(user) else None
