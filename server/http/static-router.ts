import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import express, { type Router } from 'express';

// The built app (docs/decisions/0001-rendering-mode.md): hashed files under _app/immutable, and the
// bootstrap moved out of the page at build time (`boot.<hash>.js`), are cached for a year; the
// shell, the service worker and the manifest are revalidated on every load so that a new version
// reaches phones; any other navigation gets the shell (the SPA fallback).

const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
// scripts/externalize-inline-scripts.ts names it after its content.
const HASHED_BOOT = /^boot\.[0-9a-f]{12}\.js$/;

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
	const router = express.Router();

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
