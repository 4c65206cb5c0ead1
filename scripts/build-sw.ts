// Generates the Workbox service worker after `vite build`: precaches the whole app shell so the
// installed app opens with no network, and answers every navigation (any deep link) with the shell.
// Usage: tsx scripts/build-sw.ts [buildDir]  (default build/; tests pass a copy to fake a deployment)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSW } from 'workbox-build';

const dir = process.argv[2] ?? 'build';

// The spreadsheet library (exceljs, ~930 kB; docs/decisions/0017-dashboard-charts-and-export.md)
// is loaded only when someone exports: precaching it would double what every phone downloads at
// install. It is cached at its first use instead (runtimeCaching below), then exports work offline.
function isSpreadsheetLibrary(url: string): boolean {
	// The exports' worker (src/lib/data/spreadsheets/roster-export-worker.ts) bundles its own copy.
	if (/^_app\/immutable\/workers\/.*\.js$/.test(url)) {
		return readFileSync(join(dir, url), 'utf8').includes('ExcelJS');
	}
	if (!/^_app\/immutable\/chunks\/.*\.js$/.test(url)) return false;
	return readFileSync(join(dir, url), 'utf8').slice(0, 2000).includes('.ExcelJS=');
}

const { count, size, warnings } = await generateSW({
	globDirectory: dir,
	globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,json,woff2}'],
	globIgnores: ['sw.js', 'workbox-*.js', 'khai/sw.js'],
	swDest: `${dir}/sw.js`,
	mode: 'production',
	inlineWorkboxRuntime: true,
	sourcemap: false,
	// Hashed files never change; no need to revision them again.
	dontCacheBustURLsMatching: /\/_app\/immutable\//,
	navigateFallback: '/index.html',
	// Data never comes from the cache: PouchDB and Dexie hold it on the device.
	navigateFallbackDenylist: [/^\/api\//, /^\/couch\//],
	// The new version waits until the user accepts the "update available" prompt.
	skipWaiting: false,
	// The first install takes over the open page at once, so it works offline without a reload.
	clientsClaim: true,
	cleanupOutdatedCaches: true,
	// Web Push of mail: the push and notificationclick handlers (static/sw-push.js, ADR 0022).
	importScripts: ['/sw-push.js'],
	maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
	manifestTransforms: [
		(entries) => ({ manifest: entries.filter((entry) => !isSpreadsheetLibrary(entry.url)) })
	],
	// What was left out of the precache is kept once fetched (hashed files never change).
	runtimeCaching: [
		{
			urlPattern: /\/_app\/immutable\/(chunks|workers)\/.*\.js$/,
			handler: 'CacheFirst',
			options: { cacheName: 'doanvu-lazy-chunks', expiration: { maxEntries: 20 } }
		}
	]
});

for (const warning of warnings) console.warn(warning);
console.log(`service worker: ${count} files precached, ${(size / 1024).toFixed(0)} KiB`);
