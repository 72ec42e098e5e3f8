from celery import shared_task


@shared_task
def send_password_setup_email(user_id: int):
    from .services import send_password_setup

    send_password_setup(user_id=user_id)
