from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "cbmhub.exchange"
    label = "exchange"
    verbose_name = "Exchange"
