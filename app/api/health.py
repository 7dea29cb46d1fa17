"""GET /api/health."""

from fastapi import APIRouter

from app.api.wire import Health

router = APIRouter(tags=["health"])


@router.get("/health", summary="Is the server up?", response_description="It is.")
async def health() -> Health:
    return Health(status="ok")
