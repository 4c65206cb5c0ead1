import type { Request } from 'express';

// Just enough cookie handling for one cookie of our own.

export function parseCookies(header: string | undefined): Map<string, string> {
	const cookies = new Map<string, string>();
	if (!header) return cookies;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq <= 0) continue;
		const name = part.slice(0, eq).trim();
		let value = part.slice(eq + 1).trim();
		if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
		try {
			value = decodeURIComponent(value);
		} catch {
			// Leave a malformed value as it is; it simply will not authenticate.
		}
		// The first occurrence wins, as in browsers' own ordering (most specific path first).
		if (!cookies.has(name)) cookies.set(name, value);
	}
	return cookies;
}

export function serializeCookie(options: {
	name: string;
	value: string;
	maxAgeSeconds: number;
	secure: boolean;
	path?: string;
}): string {
	const parts = [
		`${options.name}=${encodeURIComponent(options.value)}`,
		`Max-Age=${options.maxAgeSeconds}`,
		`Path=${options.path ?? '/'}`,
		'HttpOnly',
		'SameSite=Lax'
	];
	if (options.maxAgeSeconds > 0) {
		parts.push(`Expires=${new Date(Date.now() + options.maxAgeSeconds * 1000).toUTCString()}`);
	} else {
		parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
	}
	if (options.secure) parts.push('Secure');
	return parts.join('; ');
}

/** Whether the request reached us over https, directly or through a proxy that says so. */
export function isHttps(req: Request): boolean {
	if (req.secure) return true;
	const forwarded = req.headers['x-forwarded-proto'];
	const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
	return first === 'https';
}
