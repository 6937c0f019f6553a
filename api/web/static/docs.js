// Swagger UI on the app's own OpenAPI document (a file, not inline: the page's CSP allows no inline script).
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.spec,
  dom_id: "#swagger-ui",
  deepLinking: true,
});
