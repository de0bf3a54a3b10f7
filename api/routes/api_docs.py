"""The API's own description (/openapi.json) and its page (/docs), for signed-in admins only:
the public need not see the list of internal endpoints (issue 18)."""

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from api.auth import PracticeManagerPage as Admin

router = APIRouter(include_in_schema=False)


@router.get("/openapi.json")
def openapi(request: Request, admin: Admin) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request, admin: Admin) -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url="/openapi.json", title=request.app.title)
    # The page's own inline script runs under the Content-Security-Policy's nonce.
    nonce = request.state.csp_nonce
    body = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
    return HTMLResponse(body)
