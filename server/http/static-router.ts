import { existsSync, readdirSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import express, { type Router } from 'express';

// The built app (docs/decisions/0001-rendering-mode.md): hashed files under _app/immutable, and the
// bootstrap moved out of the page at build time (`boot.<hash>.js`), are cached for a year; the
// shell, the service worker and the manifest are revalidated on every load so that a new version
// reaches phones; any other navigation gets the shell (the SPA fallback).

const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
// scripts/externalize-inline-scripts.ts names it after its content.
const HASHED_BOOT = /^boot\.[0-9a-f]{12}\.js$/;

// The app's hashed scripts and stylesheets (not the workers' scripts: a worker takes its CSP from
// its own response) answer with the few headers a subresource uses. The others are a document's:
// a CSP, framing, opener, HSTS, permissions mean nothing on a module script or a stylesheet (the
// page's own response carries them, and a script opened on its own is shown as text, never run:
// nosniff). They were ~750 of each answer's ~1,090 header bytes, and a first visit on 3G
// downloads ~40 such files before the app opens offline: ~30 kB, about 0.6 s at 400 kbit/s
// (docs/decisions/0024-offline-ready-and-progress.md). Kept: nosniff, the resource policy (no
// other site may load them), the referrer policy (a stylesheet's own requests).
const LEAN_ASSET = /^\/(chunks|entry|nodes|assets)\/[^/]+\.(js|css)(\.br)?$/;
const DOCUMENT_ONLY_HEADERS = [
	'content-security-policy',
	'cross-origin-opener-policy',
	'origin-agent-cluster',
	'strict-transport-security',
	'x-dns-prefetch-control',
	'x-download-options',
	'x-frame-options',
	'x-permitted-cross-domain-policies',
	'x-xss-protection',
	'permissions-policy'
];

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đoàn vụ — chưa có bản dựng</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>Chưa có bản dựng của ứng dụng</h1>
<p>Máy chủ đang chạy nhưng chưa tìm thấy thư mục <code>build/</code>.
Hãy chạy <code>npm run build</code> rồi khởi động lại máy chủ.</p>
<p>Các địa chỉ <code>/api</code> và <code>/couch</code> vẫn hoạt động bình thường.</p>
</body>
</html>
`;

export function createStaticRouter(options: { buildDir: string }): Router {
	const root = resolve(options.buildDir);
	const indexFile = join(root, 'index.html');
	const immutableRoot = join(root, '_app', 'immutable');
	const router = express.Router();

	// A phone that accepts Brotli (browsers offer it over HTTPS) gets the build's `X.br` (quality 11),
	// ~13 % smaller than gzip or the compression middleware's own Brotli (quality 4), which leaves
	// an answer that already has its encoding alone.
	// The build's Brotli copies are listed once: the build does not change under a running server
	// (a new build needs a restart, as the missing-build page says), and a request's path is only
	// ever compared with the list, never joined to a folder.
	const brotli = brotliCopies(immutableRoot);
	router.use('/_app/immutable', (req, res, next) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') return next();
		if (!brotli.has(req.path) || !req.acceptsEncodings('br')) return next();
		res.vary('Accept-Encoding');
		res.type(extname(req.path));
		res.setHeader('content-encoding', 'br');
		req.url = `${req.path}.br`;
		next();
	});
	// Hashed files never change and are never revalidated (`immutable`): no ETag, Last-Modified or
	// Accept-Ranges either. A missing one falls through to the next handler with every header.
	router.use(
		'/_app/immutable',
		express.static(immutableRoot, {
			index: false,
			redirect: false,
			etag: false,
			lastModified: false,
			acceptRanges: false,
			cacheControl: false,
			setHeaders(res, filePath) {
				res.setHeader('cache-control', IMMUTABLE);
				const relative = `/${filePath
					.slice(immutableRoot.length + 1)
					.split(sep)
					.join('/')}`;
				if (LEAN_ASSET.test(relative))
					for (const header of DOCUMENT_ONLY_HEADERS) res.removeHeader(header);
			}
		})
	);
	router.use(
		express.static(root, {
			index: false,
			redirect: false,
			setHeaders(res, filePath) {
				const relative = filePath
					.slice(root.length + 1)
					.split(sep)
					.join('/');
				const hashed = relative.startsWith('_app/immutable/') || HASHED_BOOT.test(relative);
				res.setHeader('cache-control', hashed ? IMMUTABLE : NO_CACHE);
			}
		})
	);

	router.use((req, res, next) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') return next();
		if (/^\/(api|couch)(\/|$)/.test(req.path)) return next();
		// A missing hashed asset is a 404, not the shell: HTML served as a script helps nobody.
		if (req.path.startsWith('/_app/')) return next();
		if (!existsSync(indexFile)) {
			res.status(503).type('html').set('cache-control', 'no-store').send(MISSING_BUILD_PAGE);
			return;
		}
		res.sendFile(indexFile, { cacheControl: false, headers: { 'cache-control': NO_CACHE } });
	});

	return router;
}

/**
 * `/<path>` of every file under `root` that has a `<path>.br` beside it (scripts, stylesheets and
 * the critical pack, compressed by the build: scripts/sw/precompress.ts).
 */
function brotliCopies(root: string): Set<string> {
	const found = new Set<string>();
	if (!existsSync(root)) return found;
	for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
		if (!entry.isFile() || !entry.name.endsWith('.br')) continue;
		const relative = join(entry.parentPath, entry.name).slice(root.length + 1);
		found.add(`/${relative.split(sep).join('/').slice(0, -'.br'.length)}`);
	}
	return found;
}
