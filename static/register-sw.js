// A first visit registers the app's service worker at once, from the shell, rather than once the
// app's code has loaded (workbox-window waits for the page's `load` event: ~7 s on 3G with a slow
// CPU). The worker's install then fetches the critical set while the page loads the same files,
// and the browser's HTTP cache serves the second asker, so nothing is downloaded twice
// (docs/decisions/0024-offline-ready-and-progress.md). A phone already controlled leaves it to the
// app (src/lib/data/device/app-update.svelte.ts), which offers updates. The members' public
// declaration page (/khai/) has its own, smaller worker and must not fetch the app.
if ('serviceWorker' in navigator && !navigator.serviceWorker.controller) {
	if (!/^\/khai(\/|$)/.test(location.pathname)) {
		navigator.serviceWorker.register('/sw.js').catch(function () {});
	}
}
