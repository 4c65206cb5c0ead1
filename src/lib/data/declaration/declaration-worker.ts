// The declaration page's own service worker (scripts/build-declaration-sw.ts builds /khai/sw.js):
// its scope is /khai/ only and it caches only this page's files, so a member's phone reopens the
// page without signal without downloading the whole app, as the app's worker would.

export const DECLARATION_SW_URL = '/khai/sw.js';
export const DECLARATION_SW_SCOPE = '/khai/';

export function registerDeclarationWorker(): void {
	if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
	// After the page is usable: installing fetches the page's files again, which must not compete
	// with the first load on 3G.
	const register = () => {
		navigator.serviceWorker
			.register(DECLARATION_SW_URL, { scope: DECLARATION_SW_SCOPE })
			.catch(() => undefined);
	};
	if (document.readyState === 'complete') setTimeout(register, 0);
	else window.addEventListener('load', register, { once: true });
}
