"""Where each governorate's seat is, to list service centres nearest first without asking for a location.

Approximate coordinates of each governorate's capital (ISO 3166-2:IQ codes). They only order a list, so
a few kilometres either way change nothing; an office with its own coordinates is placed by those.
"""

import math

GOVERNORATE_SEATS: dict[str, tuple[float, float]] = {
    "IQ-AN": (33.42, 43.30),  # Ramadi
    "IQ-AR": (36.19, 44.01),  # Erbil
    "IQ-BA": (30.51, 47.78),  # Basra
    "IQ-BB": (32.48, 44.42),  # Hillah
    "IQ-BG": (33.31, 44.37),  # Baghdad
    "IQ-DA": (36.87, 42.99),  # Duhok
    "IQ-DI": (33.75, 44.64),  # Baqubah
    "IQ-DQ": (31.04, 46.26),  # Nasiriyah
    "IQ-HA": (35.18, 45.99),  # Halabja
    "IQ-KA": (32.62, 44.02),  # Karbala
    "IQ-KI": (35.47, 44.39),  # Kirkuk
    "IQ-MA": (31.84, 47.14),  # Amarah
    "IQ-MU": (31.31, 45.28),  # Samawah
    "IQ-NA": (32.00, 44.34),  # Najaf
    "IQ-NI": (36.34, 43.13),  # Mosul
    "IQ-QA": (31.99, 44.93),  # Diwaniyah
    "IQ-SD": (34.60, 43.68),  # Tikrit
    "IQ-SU": (35.56, 45.44),  # Sulaymaniyah
    "IQ-WA": (32.51, 45.82),  # Kut
}

EARTH_RADIUS_KM = 6371.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
