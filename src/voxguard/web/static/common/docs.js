// Swagger UI for the API docs page (/docs); the bundle is served from node_modules.
const target = document.getElementById('swagger-ui');
window.SwaggerUIBundle({ url: target.dataset.spec, domNode: target, deepLinking: true });
