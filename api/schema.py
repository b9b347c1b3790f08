from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .problems import PROBLEM_TYPE
from .serializers import ProblemSerializer

# Every operation may answer these; reads may also answer 304 to If-None-Match.
PROBLEM_CODES = ("400", "401", "404", "406", "429")


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        problem = OpenApiResponse(ProblemSerializer)
        for code in PROBLEM_CODES:
            responses.setdefault(
                code, self._get_response_for_code(problem, code, [PROBLEM_TYPE], direction)
            )
        if self.method == "GET":
            responses.setdefault("304", {"description": "Not modified (If-None-Match)"})
        return responses


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key from the portal's API keys page: `Authorization: Bearer <key>`.",
        }
