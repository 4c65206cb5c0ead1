// Web Push for the app's service worker (docs/decisions/0022-web-push.md), bundled into it by
// scripts/build-sw.ts (scripts/sw/app-sw.js imports it). A push says only that mail arrived
// (`{ kind: 'mail', count }`) or that a meeting starts within the hour (`{ kind: 'meeting', count }`):
// the notice is a fixed sentence, never a subject, a place or a sender, since a locked phone shows it
// to whoever holds it. One tag per kind, so several notices of a kind collapse into one.

const MAIL_URL = '/hop-thu';

/** The notice's words for a payload; an unreadable one still means mail. */
function noticeOf(data) {
	const count = data && Number.isInteger(data.count) && data.count > 0 ? Math.min(data.count, 99) : 1;
	if (data && data.kind === 'meeting') {
		return {
			tag: 'doanvu-meeting',
			body:
				count > 1
					? `${count} cuộc họp đơn vị được mời sắp bắt đầu (trong vòng một giờ). Mở Hộp thư để xem.`
					: 'Một cuộc họp đơn vị được mời sắp bắt đầu (trong vòng một giờ). Mở Hộp thư để xem.'
		};
	}
	return {
		tag: 'doanvu-mail',
		body: count > 1 ? `Có ${count} thư mới trong Hộp thư.` : 'Có thư mới trong Hộp thư.'
	};
}

self.addEventListener('push', (event) => {
	let data = null;
	try {
		data = event.data ? event.data.json() : null;
	} catch {
		// An unreadable payload still means mail: the generic notice is shown.
	}
	const notice = noticeOf(data);
	event.waitUntil(
		self.registration.showNotification('Đoàn vụ', {
			body: notice.body,
			tag: notice.tag,
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
