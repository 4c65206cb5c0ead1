import { apiRequest, ApiError } from '$lib/data/online/api-client';

// "Thông báo khi có thư mới" (docs/decisions/0022-web-push.md): this phone's Web Push subscription.
// Turning it on asks the browser's permission (the user's consent: the browser's own prompt, never
// asked unprompted), subscribes with the server's key and gives the server the subscription; turning
// it off unsubscribes and asks the server to forget it. The service worker (static/sw-push.js) shows
// the notice; it carries nothing personal, the mail arrives by sync.

/** What the switch shows. */
export type PushSwitchState = 'on' | 'off' | 'unsupported' | 'blocked';

export const PUSH_STATE_LABELS: Record<PushSwitchState, string> = {
	on: 'Đang bật: máy này sẽ báo khi đơn vị có thư mới.',
	off: 'Đang tắt.',
	unsupported: 'Trình duyệt này không hỗ trợ thông báo. Trên iPhone, hãy thêm ứng dụng vào màn hình chính trước.',
	blocked:
		'Thông báo đã bị chặn trong cài đặt trình duyệt. Mở cài đặt trang web của trình duyệt, cho phép thông báo rồi thử lại.'
};

/** The switch's state from what the browser says (pure: unit-tested). */
export function pushSwitchState(options: {
	supported: boolean;
	permission: NotificationPermission | undefined;
	subscribed: boolean;
}): PushSwitchState {
	if (!options.supported) return 'unsupported';
	if (options.permission === 'denied') return 'blocked';
	return options.subscribed && options.permission === 'granted' ? 'on' : 'off';
}

/** Where the switch is shown at all: a browser with the Push API and notifications. */
export function pushSupported(): boolean {
	return (
		typeof window !== 'undefined' &&
		'PushManager' in window &&
		'Notification' in window &&
		'serviceWorker' in navigator
	);
}

async function registration(): Promise<ServiceWorkerRegistration | undefined> {
	return navigator.serviceWorker.getRegistration();
}

/** The state now; a subscription the browser still has is given to the server again. */
export async function currentPushState(): Promise<PushSwitchState> {
	if (!pushSupported()) return 'unsupported';
	const subscription = await (await registration())?.pushManager.getSubscription();
	const state = pushSwitchState({
		supported: true,
		permission: Notification.permission,
		subscribed: Boolean(subscription)
	});
	// The server may have forgotten it (signed in again on this phone, or a push service's 410
	// followed by a new subscription): posting it again is harmless and keeps the two in step.
	if (state === 'on' && subscription) {
		await postSubscription(subscription).catch(() => undefined);
	}
	return state;
}

/** Turns notices on: the browser asks the user first. Throws an ApiError with a sentence to show. */
export async function enablePush(): Promise<PushSwitchState> {
	if (!pushSupported()) return 'unsupported';
	const permission = await Notification.requestPermission();
	if (permission === 'denied') return 'blocked';
	if (permission !== 'granted') return 'off';
	const reg = await registration();
	if (!reg) {
		throw new ApiError(
			0,
			'no_service_worker',
			'Ứng dụng chưa sẵn sàng nhận thông báo. Vui lòng tải lại trang rồi thử lại.'
		);
	}
	const { publicKey } = await apiRequest<{ publicKey: string }>({ path: '/push/key' });
	const key = base64urlBytes(publicKey);
	let subscription = await reg.pushManager.getSubscription();
	if (subscription && !sameKey(subscription, key)) {
		// Subscribed with another server key (the server's pair was replaced): start again.
		await subscription.unsubscribe();
		subscription = null;
	}
	subscription ??= await reg.pushManager.subscribe({
		userVisibleOnly: true,
		applicationServerKey: key
	});
	await postSubscription(subscription);
	return 'on';
}

/** Turns notices off: unsubscribed here at once; the server is told when it can be reached. */
export async function disablePush(): Promise<PushSwitchState> {
	if (!pushSupported()) return 'unsupported';
	const subscription = await (await registration())?.pushManager.getSubscription();
	await subscription?.unsubscribe();
	// Offline: the push service answers the server 410 for the dropped subscription, which the
	// server forgets then.
	await apiRequest({ method: 'DELETE', path: '/push/subscription' }).catch((error: unknown) => {
		if (!(error instanceof ApiError && error.offline)) throw error;
	});
	return pushSwitchState({
		supported: true,
		permission: Notification.permission,
		subscribed: false
	});
}

/** Signing out: this phone's subscription goes (the server already dropped its copy). */
export async function forgetPushSubscription(): Promise<void> {
	if (!pushSupported()) return;
	const subscription = await (await registration())?.pushManager.getSubscription();
	await subscription?.unsubscribe();
}

function postSubscription(subscription: PushSubscription): Promise<unknown> {
	const { endpoint, keys } = subscription.toJSON();
	return apiRequest({ method: 'POST', path: '/push/subscription', body: { endpoint, keys } });
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
	const current = subscription.options.applicationServerKey;
	if (!current) return false;
	const bytes = new Uint8Array(current);
	return bytes.length === key.length && bytes.every((byte, i) => byte === key[i]);
}

function base64urlBytes(value: string): Uint8Array<ArrayBuffer> {
	const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
	const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
	const bytes = new Uint8Array(new ArrayBuffer(binary.length));
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}
