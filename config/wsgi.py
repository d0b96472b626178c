import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

# Load jieba's dictionary and the routers' active models now, not on the first routed appeal (~1 s).
from smartunion.ai.services.routing import warm_up  # noqa: E402

warm_up()
