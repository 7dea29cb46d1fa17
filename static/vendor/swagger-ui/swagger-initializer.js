// Swagger UI's own start-up file (swagger-ui-dist ships one by this name), as a file so the
// Content-Security-Policy needs no inline script: the schema's URL is the page's data-openapi-url.
window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
};
