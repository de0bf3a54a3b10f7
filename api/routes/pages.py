"""Browser pages: the web chat to try the assistant."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import PracticeDep
from assistant.practices.details import readable_phone

router = APIRouter(include_in_schema=False)
# The HTML templates of every page (the chat here, the staff pages in staff_pages.py).
pages = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "pages")


@router.get("/chat/{practice}", response_class=HTMLResponse)
def chat_page(request: Request, practice: PracticeDep) -> HTMLResponse:
    phone = readable_phone(practice.emergency_contact_number)
    return pages.TemplateResponse(
        request, "chat.html", {"practice": practice, "emergency_phone": phone}
    )
