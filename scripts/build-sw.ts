// Generates the app's service worker after `vite build` (docs/decisions/0024-offline-ready-and-progress.md):
// the installed app opens with no network, every navigation (any deep link) answered with the
// shell. The files are split in two sets (scripts/sw/precache-sets.ts): the critical set, fetched
// all at once at install, and the deferred set, fetched after activation; the worker itself
// (scripts/sw/app-sw.js) is bundled here with both lists written in.
// Usage: tsx scripts/build-sw.ts [buildDir]  (default build/; tests pass a copy to fake a deployment)
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { getManifest } from 'workbox-build';
import { criticalFiles } from './sw/precache-sets';
import { precompress } from './sw/precompress';
import { packable, writeCriticalPack } from './sw/critical-pack';

const dir = process.argv[2] ?? 'build';

// The spreadsheet library (exceljs, ~930 kB; docs/decisions/0017-dashboard-charts-and-export.md),
// both the page's copy (the template, the dashboard's export) and the workers' (the import's
// reader, the exports' packer), goes in the deferred set, never the critical one: in the critical
// set it would double what stands between a first visit and offline-ready; deferred, it arrives
// once the first sync is over, so a secretary in the mountains exports or imports offline on a
// phone that never did either online (docs/spreadsheets.md).
function isSpreadsheetLibrary(url: string): boolean {
	if (!/^_app\/immutable\/(chunks|workers)\/.*\.js$/.test(url)) return false;
	return readFileSync(join(dir, url), 'utf8').slice(0, 2000).includes('.ExcelJS=');
}

const { manifestEntries, warnings } = await getManifest({
	globDirectory: dir,
	globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,json,woff2}'],
	// The PNG icons serve the home-screen install and notices, both online: the worker keeps them
	// as they are fetched (scripts/sw/app-sw.js), they do not hold back offline-ready (~40 kB).
	globIgnores: [
		'sw.js',
		'workbox-*.js',
		'khai/sw.js',
		'sw-push.js',
		'icons/*.png',
		// Written below from this list (a build copied and listed again has the last one's).
		'_app/immutable/critical-pack.*.json'
	],
	// Hashed files never change; no need to revision them again.
	dontCacheBustURLsMatching: /\/_app\/immutable\//,
	maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
	// Addresses from the site's root, as the page asks for them.
	modifyURLPrefix: { '': '/' }
});
for (const warning of warnings) console.warn(warning);

const critical = criticalFiles();
const criticalEntries: { url: string; revision: string | null; bytes: number }[] = [];
const deferred: string[] = [];
let criticalBytes = 0;
let deferredBytes = 0;
for (const entry of manifestEntries ?? []) {
	const path = entry.url.slice(1);
	const bytes = statSync(join(dir, path)).size;
	// Files outside _app/immutable (the shell, the boot script, SVG icons, the web manifest) are few
	// and small, and the shell needs them: critical, with their revision.
	if (critical.has(path) || !path.startsWith('_app/immutable/')) {
		criticalEntries.push({ url: entry.url, revision: entry.revision ?? null, bytes });
		criticalBytes += bytes;
	} else {
		deferred.push(entry.url);
		deferredBytes += bytes;
	}
}
// The largest first: the browser answers the worker's requests a few at a time, in the order they
// were made, and the big chunks (the app's screens, the data libraries) take seconds on 3G where a
// small file takes a round trip; started first, they overlap the small ones instead of ending last.
criticalEntries.sort((a, b) => b.bytes - a.bytes);
const missing = [...critical].filter((path) => !criticalEntries.some((e) => e.url === `/${path}`));
if (missing.length > 0)
	throw new Error(`critical files missing from ${dir}/: ${missing.join(', ')}`);
const heavy = criticalEntries.filter((entry) => isSpreadsheetLibrary(entry.url.slice(1)));
if (heavy.length > 0)
	throw new Error(`the spreadsheet library must not hold back offline-ready: ${heavy[0]!.url}`);
// The small ones in one download (scripts/sw/critical-pack.ts); the large ones keep their own.
const packed = criticalEntries.filter((entry) => packable(entry)).map((entry) => entry.url);
const pack = writeCriticalPack({ dir, urls: packed });
const spreadsheets = deferred.filter((url) => isSpreadsheetLibrary(url.slice(1)));
if (spreadsheets.length === 0)
	console.warn('service worker: no spreadsheet library found to defer');

await build({
	entryPoints: [join(import.meta.dirname, 'sw/app-sw.js')],
	outfile: join(dir, 'sw.js'),
	bundle: true,
	format: 'iife',
	minify: true,
	target: 'es2020',
	legalComments: 'none',
	define: {
		'process.env.NODE_ENV': '"production"',
		__CRITICAL__: JSON.stringify(criticalEntries.map(({ url, revision }) => ({ url, revision }))),
		__DEFERRED__: JSON.stringify(deferred),
		__PACK__: JSON.stringify(pack ? { url: pack, files: packed } : null)
	},
	logLevel: 'warning'
});

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const brotli = precompress(dir);
if (brotli.files > 0)
	console.log(
		`brotli: ${brotli.files} scripts and stylesheets, ${kib(brotli.bytes)} → ${kib(brotli.brotliBytes)}`
	);
console.log(
	`service worker: ${criticalEntries.length} critical files (${kib(criticalBytes)}; ` +
		`${packed.length} of them in one pack) at install, ` +
		`${deferred.length} deferred (${kib(deferredBytes)}) after`
);
