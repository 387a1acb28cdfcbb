/** The API listens on 3000 in Kubernetes, the web tier on 8080 (DEVELOPERS.md). */
export const API_PORT = 3000;
export const WEB_PORT = 8080;
/** nginx-prometheus-exporter beside the web tier. */
export const WEB_METRICS_PORT = 9113;
