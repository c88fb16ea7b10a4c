from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bawaba.core"
    label = "core"
