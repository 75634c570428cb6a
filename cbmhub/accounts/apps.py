from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cbmhub.accounts"
    label = "accounts"
    verbose_name = "Accounts"
