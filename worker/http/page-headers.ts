/**
 * Security headers for the HTML pages (the dashboard and host pages): a CSP that allows only the
 * Worker's own script, stylesheet and images — no inline script or style, no CDN — plus hono's
 * usual secure headers.
 */
import { secureHeaders } from "hono/secure-headers";

export const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
});
