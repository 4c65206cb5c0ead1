// Generates the Workbox service worker after `vite build`: precaches the whole app shell so the
// installed app opens with no network, and answers every navigation (any deep link) with the shell.
// Usage: tsx scripts/build-sw.ts [buildDir]  (default build/; tests pass a copy to fake a deployment)
import { generateSW } from 'workbox-build';

const dir = process.argv[2] ?? 'build';

const { count, size, warnings } = await generateSW({
	globDirectory: dir,
	globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,json,woff2}'],
	globIgnores: ['sw.js', 'workbox-*.js'],
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
	maximumFileSizeToCacheInBytes: 5 * 1024 * 1024
});

for (const warning of warnings) console.warn(warning);
console.log(`service worker: ${count} files precached, ${(size / 1024).toFixed(0)} KiB`);
