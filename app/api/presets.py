"""GET /api/presets: the ready-made scenarios."""

from fastapi import APIRouter

from app.api.jsonresponse import StrictJSONResponse
from app.api.openapi import documented
from app.api.wire import Preset
from app.core import list_presets

router = APIRouter(tags=["presets"], default_response_class=StrictJSONResponse)


@router.get(
    "/presets",
    summary="The ready-made scenarios",
    **documented(list[Preset], "Every preset, in the order the page lists them."),
)
def presets() -> StrictJSONResponse:
    """Each preset: id, title, description, config, T, seed, params, inputs, targets.

    Create a session from one with POST /api/sessions {"preset": id}.
    """
    return StrictJSONResponse([Preset.of(preset) for preset in list_presets()])
