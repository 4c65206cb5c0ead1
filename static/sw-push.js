// Web Push for the app's service worker (docs/decisions/0022-web-push.md), loaded by the Workbox
// worker through importScripts (scripts/build-sw.ts). A push says only that mail arrived
// (`{ kind: 'mail', count }`): the notice is a fixed sentence, never a subject or a sender, since a
// locked phone shows it to whoever holds it. One tag, so several notices collapse into one.

const MAIL_TAG = 'doanvu-mail';
const MAIL_URL = '/hop-thu';

self.addEventListener('push', (event) => {
	let count = 1;
	try {
		const data = event.data ? event.data.json() : null;
		if (data && data.kind === 'mail' && Number.isInteger(data.count) && data.count > 0) {
			count = Math.min(data.count, 99);
		}
	} catch {
		// An unreadable payload still means mail: the generic notice is shown.
	}
	event.waitUntil(
		self.registration.showNotification('Đoàn vụ', {
			body: count > 1 ? `Có ${count} thư mới trong Hộp thư.` : 'Có thư mới trong Hộp thư.',
			tag: MAIL_TAG,
			renotify: true,
			icon: '/icons/icon-192.png',
			badge: '/icons/icon-192.png',
			lang: 'vi',
			data: { url: MAIL_URL }
		})
	);
});

self.addEventListener('notificationclick', (event) => {
	event.notification.close();
	event.waitUntil(
		(async () => {
			const url = new URL(MAIL_URL, self.location.origin).href;
			const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
			for (const client of windows) {
				if (new URL(client.url).origin !== self.location.origin) continue;
				await client.focus();
				if ('navigate' in client) await client.navigate(url).catch(() => undefined);
				return;
			}
			await self.clients.openWindow(url);
		})()
	);
});
