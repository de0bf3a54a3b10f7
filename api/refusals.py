"""The one place a refusal of the rules becomes an HTTP answer (assistant/errors.py), on both
listeners. The request's session is closed without a commit, so nothing the refused action
began is kept."""

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from assistant.errors import Conflict, Invalid, NotAllowed, NotFound, Refused

REFUSAL_STATUS = {NotFound: 404, NotAllowed: 403, Conflict: 409, Invalid: 422, Refused: 409}


async def refused(request: Request, exc: Exception) -> Response:
    status = next(REFUSAL_STATUS[kind] for kind in type(exc).__mro__ if kind in REFUSAL_STATUS)
    return JSONResponse({"detail": str(exc)}, status_code=status)
