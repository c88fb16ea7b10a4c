import pytest


@pytest.fixture(autouse=True)
def _templates(request):
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("builtin_templates")
