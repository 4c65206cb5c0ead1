// The app's service worker, bundled by scripts/build-sw.ts (docs/decisions/0024-offline-ready-and-progress.md).
// Workbox installs its precache one file after another (GoogleChrome/workbox#2528): over a 3G
// round trip of 400 ms, 200 files made the app usable offline only ~1 minute after the first visit.
// So the files are split in two sets, written in by build-sw.ts:
// - CRITICAL: what opens the app offline (shell, sign-in, roster, profile, account, the sync
//   engine), fetched all at once at install, then handed to Workbox, which finds every entry
//   already cached and only records it (its revisions, its clean-up of old versions).
// - DEFERRED: the rest (print, dashboard, mail, declarations review, QR, the spreadsheet library…).
//   On the first install it is fetched only when the page asks (FILL_DEFERRED: idle, and no sync
//   catching up: the first sync must not share a 3G link with ~1 MB of optional code) and paused
//   when it says the link is busy again (HOLD_DEFERRED); until then each file is cached as it is
//   first used. An update (a version already controls the app) installs both sets before it can
//   take over, so a new version still arrives whole.
import { PrecacheController, PrecacheRoute } from 'workbox-precaching';
import { cleanupOutdatedCaches } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, StaleWhileRevalidate } from 'workbox-strategies';
import { ExpirationPlugin } from 'workbox-expiration';

/* global __CRITICAL__, __DEFERRED__, __PACK__ */
/** @type {{ url: string, revision: string | null }[]} */
const CRITICAL = __CRITICAL__;
/** @type {string[]} immutable (hashed) files: their address is their version */
const DEFERRED = __DEFERRED__;
/**
 * The critical set's small files in one download (scripts/sw/critical-pack.ts): on 3G each file
 * fetched on its own costs a round trip on one of HTTP/1.1's six connections, whatever its size.
 * @type {{ url: string, files: string[] } | null}
 */
const PACK = __PACK__;

const DEFERRED_CACHE = 'doanvu-deferred';
const LAZY_CACHE = 'doanvu-lazy-chunks';

// Web Push of mail: the push and notificationclick handlers (static/sw-push.js, ADR 0022), bundled
// in rather than fetched with importScripts: that was one more 3G round trip, on a connection of
// its own, before the install could start.
import '../../static/sw-push.js';

const precache = new PrecacheController();
precache.addToCacheList(CRITICAL);

/**
 * Fetches into `cacheName` every (url, key) not there yet, `lanes` requests at a time (all at once
 * when not given). Each lane waits at `gate` (when given) before its next request: a request in
 * flight finishes, none starts while the gate is closed.
 */
async function fillInParallel(cacheName, entries, options = {}) {
	const { lanes = entries.length, gate = null } = options;
	const cache = await caches.open(cacheName);
	const queue = [...entries];
	const lane = async () => {
		for (;;) {
			if (gate) await gate();
			const entry = queue.shift();
			if (!entry) return;
			const { url, key, reload } = entry;
			if (await cache.match(key)) continue;
			const response = await fetch(url, {
				credentials: 'same-origin',
				...(reload ? { cache: 'reload' } : {})
			});
			if (!response.ok) throw new Error(`${url}: ${response.status}`);
			await cache.put(key, response);
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
}

function criticalEntries() {
	const entries = [];
	const packed = new Set(
		(PACK?.files ?? []).map((path) => new URL(path, self.location.origin).href)
	);
	for (const [url, key] of precache.getURLsToCacheKeys()) {
		if (packed.has(url)) continue;
		// A revisioned entry (the shell) must not come from the browser's HTTP cache.
		entries.push({ url, key, reload: key !== url });
	}
	return entries;
}

/**
 * Fetches the pack and puts each of its files into the precache under its own key, with the type
 * the server gives it, unless already there (an older version's identical file, or a retry).
 */
async function fillFromPack(cacheName) {
	if (!PACK) return;
	const cache = await caches.open(cacheName);
	const keys = precache.getURLsToCacheKeys();
	const response = await fetch(PACK.url, { credentials: 'same-origin' });
	if (!response.ok) throw new Error(`${PACK.url}: ${response.status}`);
	/** @type {{ url: string, type: string, body: string }[]} */
	const files = await response.json();
	await Promise.all(
		files.map(async ({ url, type, body }) => {
			const key = keys.get(new URL(url, self.location.origin).href);
			if (!key) throw new Error(`${url}: in the pack but not in the precache list`);
			if (await cache.match(key)) return;
			// The headers a subresource keeps (server/http/static-router.ts): its type, and no sniffing.
			const headers = { 'content-type': type, 'x-content-type-options': 'nosniff' };
			await cache.put(key, new Response(body, { headers }));
		})
	);
}

function deferredEntries() {
	return DEFERRED.map((path) => {
		const url = new URL(path, self.location.origin).href;
		return { url, key: url, reload: false };
	});
}

/**
 * The deferred set's gate: closed while the page says its link is busy (a first sync, a catch-up
 * after opening). Opened by FILL_DEFERRED, closed by HOLD_DEFERRED. A new worker starts open: an
 * update fills both sets at install, and the page of a first visit asks before anything starts.
 */
let held = false;
let release = null;
let opened = Promise.resolve();
function hold() {
	if (held) return;
	held = true;
	opened = new Promise((resolve) => (release = resolve));
}
function open() {
	if (!held) return;
	held = false;
	release?.();
}

/**
 * Three requests at a time, not all at once: when the page closes the gate, at most three small
 * files are still on the wire, and the page keeps connections of its own meanwhile (HTTP/1.1
 * gives six per host).
 */
const DEFERRED_LANES = 3;
let deferredFill = null;
/** Once per worker: a failure (signal lost) is retried at the next request of the page. */
function fillDeferred() {
	deferredFill ??= fillInParallel(DEFERRED_CACHE, deferredEntries(), {
		lanes: DEFERRED_LANES,
		gate: () => opened
	}).catch((error) => {
		deferredFill = null;
		throw error;
	});
	return deferredFill;
}

self.addEventListener('install', (event) => {
	const update = !!self.registration.active;
	event.waitUntil(
		(async () => {
			await Promise.all([
				fillInParallel(precache.strategy.cacheName, criticalEntries()),
				fillFromPack(precache.strategy.cacheName),
				update ? fillDeferred() : null
			]);
			await precache.install(event);
		})()
	);
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			await precache.activate(event);
			// Files of versions gone: kept only what this version lists.
			const keep = new Set(deferredEntries().map((entry) => entry.key));
			const cache = await caches.open(DEFERRED_CACHE);
			for (const request of await cache.keys()) {
				if (!keep.has(request.url)) await cache.delete(request);
			}
			// The first install takes over the open page at once, so it works offline without a reload.
			// The optional files wait for the page's FILL_DEFERRED (it knows when the link is free).
			await self.clients.claim();
		})()
	);
});
cleanupOutdatedCaches();

self.addEventListener('message', (event) => {
	const type = event.data && event.data.type;
	// The new version waits until the user accepts the "update available" prompt (workbox-window).
	if (type === 'SKIP_WAITING') void self.skipWaiting();
	// The page's link is busy (a sync catching up): no new deferred request until FILL_DEFERRED.
	if (type === 'HOLD_DEFERRED') hold();
	// The page is idle and no sync is catching up: the optional files come now (or go on), and
	// the answer says when they are all in.
	if (type === 'FILL_DEFERRED') {
		open();
		event.waitUntil(
			fillDeferred().then(
				() => event.ports[0]?.postMessage(true),
				() => event.ports[0]?.postMessage(false)
			)
		);
	}
});

registerRoute(
	new PrecacheRoute(precache, {
		ignoreURLParametersMatching: [/^utm_/, /^fbclid$/],
		directoryIndex: 'index.html',
		cleanURLs: true
	})
);

// Every navigation (any deep link) is answered with the shell; data never comes from the cache:
// PouchDB and Dexie hold it on the device.
registerRoute(
	new NavigationRoute(precache.createHandlerBoundToURL('/index.html'), {
		denylist: [/^\/api\//, /^\/couch\//]
	})
);

// The deferred set: from its cache once there, else from the network and kept.
const deferredPaths = new Set(DEFERRED);
registerRoute(
	({ url, sameOrigin }) => sameOrigin && deferredPaths.has(url.pathname),
	new CacheFirst({ cacheName: DEFERRED_CACHE })
);

// The PNG icons (home-screen install, notices) are in neither set: kept as fetched, refreshed behind.
registerRoute(
	({ url, sameOrigin }) => sameOrigin && /^\/icons\/[^/]+\.png$/.test(url.pathname),
	new StaleWhileRevalidate({ cacheName: 'doanvu-icons' })
);

// Hashed code in neither set (none today; a chunk of an older version still open in a tab) is
// kept once fetched (hashed files never change), then works offline.
registerRoute(
	/\/_app\/immutable\/(chunks|workers)\/.*\.js$/,
	new CacheFirst({ cacheName: LAZY_CACHE, plugins: [new ExpirationPlugin({ maxEntries: 20 })] })
);
