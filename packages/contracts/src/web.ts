/**
 * The SPA's Content-Security-Policy, declared once: production nginx sends it (apps/web/nginx.conf, whose
 * test checks the header nginx really sends against this), and the API sends it when it serves the build
 * locally (`npm start`).
 */
export const WEB_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
