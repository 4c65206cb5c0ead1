import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// Where the app is built: the server's BUILD_DIR, so `npm run demo` builds beside (not over) the
// build a running `npm start` serves.
const out = process.env.BUILD_DIR ?? 'build';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: every screen renders on the device, so the shell works offline
		// (docs/decisions/0001-rendering-mode.md).
		adapter: adapter({ pages: out, assets: out, fallback: 'index.html', strict: false }),
		// The Workbox service worker is generated after the build (scripts/build-sw.ts).
		serviceWorker: { register: false },
		alias: { $server: 'server' }
	}
};

export default config;
