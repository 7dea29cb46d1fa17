"""GET /api/health."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The server is up."""

    status: str = Field(description='Always "ok".')


@router.get("/health", summary="Is the server up?")
def health() -> Health:
    return Health(status="ok")
