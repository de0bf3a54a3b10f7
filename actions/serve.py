"""Start the action server so that only Rasa can use it: `python -m actions.serve --port 5055`
(the Procfiles). rasa-sdk's own `rasa run actions` runs any action for any conversation for
whoever posts to it, with the api's internal token behind it (issue 18). Here every request
but `/health` must carry `Authorization: Bearer $ACTION_SERVER_TOKEN`, which Rasa sends from
its endpoints file (`action_endpoint.headers`)."""

import hmac
import logging
import os
import sys
from collections.abc import Mapping

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

# Accepted only with ENVIRONMENT=development (the api's `assistant/settings.py` has the same).
DEVELOPMENT_ACTION_SERVER_TOKEN = "local-dev-action-token"
MIN_TOKEN_LENGTH = 32
OPEN_PATHS = {"/health"}

logger = logging.getLogger(__name__)


def action_server_token(environ: Mapping[str, str]) -> str:
    """The token from the environment; outside development a development or short one is
    refused, as the api refuses its own (`assistant/secure_defaults.py`)."""
    token = environ.get("ACTION_SERVER_TOKEN", DEVELOPMENT_ACTION_SERVER_TOKEN)
    if environ.get("ENVIRONMENT", "production") == "development":
        return token
    if token == DEVELOPMENT_ACTION_SERVER_TOKEN or len(token) < MIN_TOKEN_LENGTH:
        raise SystemExit(
            "refusing to start outside ENVIRONMENT=development: ACTION_SERVER_TOKEN is unset, "
            f"the development value or shorter than {MIN_TOKEN_LENGTH} characters "
            "(`python -m assistant generate-secrets FILE` writes one)"
        )
    return token


def main(argv: list[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    expected = f"Bearer {action_server_token(os.environ)}"
    # No cross-origin browser calls: only Rasa, server to server.
    app = create_app(args.actions, cors_origins=None)

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), expected.encode()):
            return None
        return response.json({"error": "action server token missing or wrong"}, status=401)

    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("Action server on http://%s:%s (token required)", host, args.port)
    app.run(host, args.port, workers=1)


if __name__ == "__main__":
    main(sys.argv[1:])
