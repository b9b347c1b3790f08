from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token, counted in the shared cache (Redis) across every web process."""

    scope = "token"

    def get_rate(self):
        # Read on every request, so that a changed setting takes effect without a restart.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None:
            return None
        # By the key's hash, not the row id: ids are reused by other databases that may
        # share the cache (test databases, a restored copy); keys never are.
        return self.cache_format % {"scope": self.scope, "ident": token.key_hash[:32]}
