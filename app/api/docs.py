"""GET /docs: Swagger UI from static/vendor/swagger-ui, so it works with no network.

No inline script (the Content-Security-Policy allows none): Swagger UI starts from
swagger-initializer.js, which reads the schema's URL from the body's data-openapi-url.
"""

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

VENDOR = "/static/vendor/swagger-ui"
router = APIRouter(include_in_schema=False)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="{vendor}/swagger-ui.css">
<link rel="icon" href="{vendor}/favicon-32x32.png">
<title>{title}</title>
</head>
<body data-openapi-url="{openapi_url}">
<div id="swagger-ui"></div>
<script src="{vendor}/swagger-ui-bundle.js"></script>
<script src="{vendor}/swagger-initializer.js"></script>
</body>
</html>
"""


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    page = PAGE.format(
        vendor=VENDOR,
        title=escape(f"{request.app.title}: API"),
        openapi_url=escape(request.app.openapi_url or ""),
    )
    return HTMLResponse(page)
