import helmet from 'helmet';
import type { RequestHandler } from 'express';

// Security headers on every response (docs/decisions/0011-security-headers-and-request-limits.md),
// set by helmet, the maintained package for them, plus Permissions-Policy, which helmet leaves out.
//
// The Content-Security-Policy allows scripts from this origin only — no inline script, no eval: the
// build moves SvelteKit's inline bootstrap into a file (scripts/externalize-inline-scripts.ts).
// Inline styles stay allowed: Svelte sets style attributes and transitions write inline styles,
// and a style cannot run code. Data only ever goes to this origin (/api, /couch).

export const CONTENT_SECURITY_POLICY = {
	'default-src': ["'self'"],
	'script-src': ["'self'"],
	'style-src': ["'self'", "'unsafe-inline'"],
	'img-src': ["'self'", 'data:', 'blob:'],
	'font-src': ["'self'"],
	'connect-src': ["'self'"],
	'worker-src': ["'self'"],
	'manifest-src': ["'self'"],
	'object-src': ["'none'"],
	'base-uri': ["'self'"],
	'form-action': ["'self'"],
	'frame-ancestors': ["'none'"]
};

// Only features Chromium knows: an unknown one is reported as an error in the console.
const PERMISSIONS_POLICY = [
	'camera=()',
	'microphone=()',
	'geolocation=()',
	'payment=()',
	'usb=()',
	'serial=()',
	'midi=()'
].join(', ');

export function securityHeaders(): RequestHandler[] {
	return [
		helmet({
			contentSecurityPolicy: {
				useDefaults: false,
				// No upgrade-insecure-requests: a commune office may reach a server on its LAN over
				// plain http, and the directive would break every request there.
				directives: CONTENT_SECURITY_POLICY
			},
			frameguard: { action: 'deny' },
			referrerPolicy: { policy: 'same-origin' },
			// The app and its data are one origin; nothing is meant to be embedded elsewhere.
			crossOriginResourcePolicy: { policy: 'same-origin' },
			crossOriginOpenerPolicy: { policy: 'same-origin' }
		}),
		(_req, res, next) => {
			res.setHeader('permissions-policy', PERMISSIONS_POLICY);
			next();
		}
	];
}
