from django.apps import AppConfig


class OtpConfig(AppConfig):
    name = "otp"
    verbose_name = "Signature par SMS"
