"""Templates the portal itself relies on. Editors may reword them; the names are what code sends by.

Installed by migration 0002; `install_builtin_templates` also restores them where a test emptied the table.
"""

from typing import Any

BUILTIN: list[dict[str, Any]] = [
    {
        "name": "verification_code",
        "required": ["code", "minutes"],
        "channel": "sms",
        "sensitive": True,
        "description": "One-time code that confirms a phone number or a sign-in.",
        "body_ar": "رمز بوابة: ((code)). صالح ((minutes)) دقائق. لا تعطه لأحد.",
        "body_ckb": "کۆدی بەوابە: ((code)). بۆ ((minutes)) خولەک کار دەکات. بە کەسی مەدە.",
        "body_en": "Your Bawaba code is ((code)). It expires in ((minutes)) minutes. Never share it.",
    },
    {
        "name": "phone_changed",
        "required": ["ending"],
        "channel": "sms",
        "sensitive": False,
        "description": "Sent to the old number when an account's mobile number is changed.",
        "body_ar": (
            "تم تغيير رقم الهاتف لحسابك في بوابة إلى رقم ينتهي بـ ((ending)). إن لم تفعل ذلك فراجع أقرب مركز خدمة."
        ),
        "body_ckb": (
            "ژمارەی مۆبایلی هەژمارەکەت لە بەوابە گۆڕدرا بۆ ژمارەیەک کە بە ((ending)) کۆتایی دێت. "
            "ئەگەر تۆ نەبوویت، سەردانی نزیکترین سەنتەری خزمەتگوزاری بکە."
        ),
        "body_en": (
            "The mobile number of your Bawaba account was changed to one ending in ((ending)). "
            "If this was not you, visit a service centre."
        ),
    },
    {
        "name": "password_changed",
        "channel": "sms",
        "sensitive": False,
        "description": "Sent when an account's password is changed or reset.",
        "body_ar": "تم تغيير كلمة مرور حسابك في بوابة. إن لم تفعل ذلك فاستعد حسابك فوراً.",
        "body_ckb": "وشەی نهێنی هەژمارەکەت لە بەوابە گۆڕدرا. ئەگەر تۆ نەبوویت، دەستبەجێ هەژمارەکەت بگەڕێنەوە.",
        "body_en": "The password of your Bawaba account was changed. If this was not you, recover your account now.",
    },
    {
        "name": "provider_test",
        "channel": "sms",
        "sensitive": False,
        "description": "Operators send it (manage.py send_test_message) to check delivery end to end.",
        "body_ar": "رسالة اختبار من بوابة (((provider))).",
        "body_ckb": "نامەی تاقیکردنەوە لە بەوابە (((provider))).",
        "body_en": "Test message from Bawaba (((provider))).",
    },
]


def install_builtin_templates(model: Any = None) -> None:
    """Create any missing built-in template; never overwrites an editor's wording."""
    if model is None:
        from bawaba.notifications.models import MessageTemplate as model
    for entry in BUILTIN:
        fields = {key: value for key, value in entry.items() if key != "required"}
        model.objects.get_or_create(name=entry["name"], defaults=fields)
