"""The API's own description (/openapi.json) and its page (/docs), for signed-in admins only:
the public need not see the list of internal endpoints (issue 18)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from api.auth import PageStaff
from assistant.db.models import StaffUser

router = APIRouter(include_in_schema=False)


def admin_for_page(staff: PageStaff) -> StaffUser:
    if staff.role != "admin":
        raise HTTPException(status_code=403, detail="the API description is for admins")
    return staff


Admin = Annotated[StaffUser, Depends(admin_for_page)]


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
