import webpush from 'web-push';
import type { AccountService } from '../accounts/account-service';
import type { DeviceDoc, DeviceService } from '../accounts/device-service';
import type { Logger } from '../http/logger';
import { pushEndpointAllowed } from './push-subscription';
import type { VapidKeys } from './vapid-keys';

// Tells the phones of a unit that mail arrived (docs/decisions/0022-web-push.md). The post office
// calls `mailArrived` once a copy is written; from there it is fire-and-forget: a queue of units,
// a few sent at once, a unit already waiting in the queue counted once more instead of queued
// twice (a directive and a meeting invitation in one cycle: one notice saying two). Nothing here
// can hold delivery back or make it fail.
//
// The meeting notices (meeting-notices.ts) go the same way, an hour before a meeting.
//
// The payload is encrypted for the phone (RFC 8291, aes128gcm) and still carries nothing personal:
// `{ kind: 'mail' | 'meeting', count }`, no subject, no sender, no name — the phone's service worker shows a
// generic sentence and the mail itself arrives by sync. A push service answering 404 or 410 says
// the subscription is gone: it is dropped from the device. Logs name the device, never the endpoint
// (a capability: whoever holds it can notify the phone).

/** The push services keep an undelivered notice this long (a phone off for the night still gets it). */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
/** Units waiting beyond this are dropped (logged): a notice is a courtesy, the mail is in the inbox. */
const MAX_QUEUED_UNITS = 10_000;

/**
 * What a notice says: mail arrived (`count` of them), or a meeting the unit was invited to starts
 * within the hour (`count` meetings; server/push/meeting-notices.ts). Nothing else, ever.
 */
export type PushKind = 'mail' | 'meeting';
export interface PushPayload {
	kind: PushKind;
	count: number;
}

export class PushNotifier {
	readonly #accounts: AccountService;
	readonly #devices: DeviceService;
	readonly #vapid: VapidKeys;
	readonly #contact: string;
	readonly #allowLocalHttp: boolean;
	readonly #concurrency: number;
	readonly #timeoutMs: number;
	readonly #logger: Logger;
	/** Notices waiting (`<kind>:<unit id>`), with how many mails or meetings each one counts. */
	readonly #queue = new Map<string, { kind: PushKind; unitId: string; count: number }>();
	#running = 0;
	#stopped = false;
	#idleWaiters: (() => void)[] = [];

	constructor(options: {
		accounts: AccountService;
		devices: DeviceService;
		vapid: VapidKeys;
		contact: string;
		allowLocalHttp?: boolean;
		concurrency?: number;
		timeoutMs?: number;
		logger: Logger;
	}) {
		this.#accounts = options.accounts;
		this.#devices = options.devices;
		this.#vapid = options.vapid;
		this.#contact = options.contact;
		this.#allowLocalHttp = options.allowLocalHttp ?? false;
		this.#concurrency = Math.max(1, options.concurrency ?? 4);
		this.#timeoutMs = options.timeoutMs ?? 10_000;
		this.#logger = options.logger;
	}

	/** A mail copy was written into these units' databases: notify their phones, later. */
	mailArrived(unitIds: readonly string[]): void {
		this.#enqueue('mail', unitIds);
	}

	/** A meeting these units were invited to (and did not decline) starts soon. */
	meetingSoon(unitIds: readonly string[]): void {
		this.#enqueue('meeting', unitIds);
	}

	#enqueue(kind: PushKind, unitIds: readonly string[]): void {
		if (this.#stopped) return;
		for (const unitId of unitIds) {
			const key = `${kind}:${unitId}`;
			const waiting = this.#queue.get(key);
			if (waiting !== undefined) waiting.count++;
			else if (this.#queue.size >= MAX_QUEUED_UNITS) {
				this.#logger.info('push_dropped', { unitId, kind });
			} else this.#queue.set(key, { kind, unitId, count: 1 });
		}
		this.#pump();
	}

	/** Resolves once nothing is queued or being sent (tests; a graceful stop). */
	idle(): Promise<void> {
		if (this.#running === 0 && this.#queue.size === 0) return Promise.resolve();
		return new Promise((resolve) => this.#idleWaiters.push(resolve));
	}

	/** Stops taking notices; resolves once those being sent are done (the store is still open). */
	async stop(): Promise<void> {
		this.#stopped = true;
		this.#queue.clear();
		await this.idle();
	}

	#pump(): void {
		while (this.#running < this.#concurrency && this.#queue.size > 0) {
			const [key, notice] = this.#queue.entries().next().value as [
				string,
				{ kind: PushKind; unitId: string; count: number }
			];
			this.#queue.delete(key);
			this.#running++;
			this.#notifyUnit(notice)
				.catch((error: unknown) => {
					this.#logger.error('push_failed', { unitId: notice.unitId, error: errorName(error) });
				})
				.finally(() => {
					this.#running--;
					this.#pump();
					if (this.#running === 0 && this.#queue.size === 0) {
						for (const resolve of this.#idleWaiters.splice(0)) resolve();
					}
				});
		}
	}

	async #notifyUnit(notice: { kind: PushKind; unitId: string; count: number }): Promise<void> {
		const { unitId } = notice;
		// A deployment where no phone subscribed costs no look-ups per delivered copy.
		if (!(await this.#devices.anySubscribed())) return;
		const accounts = await this.#accounts.listByUnit(unitId);
		const logins = accounts
			.filter((account) => !account.disabled && account.unitId === unitId)
			.map((account) => account.login);
		const devices = await this.#devices.subscribedDevices(logins);
		if (devices.length === 0) return;
		const keys = await this.#vapid.get();
		const payload: PushPayload = { kind: notice.kind, count: notice.count };
		for (const device of devices) await this.#send(device, payload, keys);
	}

	async #send(
		device: DeviceDoc,
		payload: PushPayload,
		keys: { publicKey: string; privateKey: string }
	): Promise<void> {
		const push = device.push;
		if (!push) return;
		// Checked again when sending: what is stored must never send the server elsewhere.
		if (!pushEndpointAllowed(push.endpoint, this.#allowLocalHttp)) {
			this.#logger.info('push_endpoint_refused', { deviceId: device.id });
			return;
		}
		try {
			const request = webpush.generateRequestDetails(
				{ endpoint: push.endpoint, keys: push.keys },
				JSON.stringify(payload),
				{
					vapidDetails: { subject: this.#contact, ...keys },
					TTL: PUSH_TTL_SECONDS,
					contentEncoding: 'aes128gcm',
					urgency: 'normal',
					// A push service keeps only the newest undelivered notice of one topic.
					topic: payload.kind
				}
			);
			// fetch counts the body itself.
			const { 'Content-Length': _length, ...headers } = request.headers as Record<string, string>;
			const res = await fetch(request.endpoint, {
				method: 'POST',
				headers,
				body: new Uint8Array(request.body),
				redirect: 'error',
				signal: AbortSignal.timeout(this.#timeoutMs)
			});
			await res.body?.cancel();
			if (res.status === 404 || res.status === 410) {
				await this.#devices.setPush({
					deviceId: device.id,
					push: undefined,
					onlyEndpoint: push.endpoint
				});
				this.#logger.info('push_subscription_gone', { deviceId: device.id, status: res.status });
			} else if (!res.ok) {
				this.#logger.error('push_failed', { deviceId: device.id, status: res.status });
			}
		} catch (error) {
			this.#logger.error('push_failed', { deviceId: device.id, error: errorName(error) });
		}
	}
}

/** An error's class and code only: a fetch error's message may carry the endpoint. */
function errorName(error: unknown): string {
	if (!(error instanceof Error)) return 'unknown';
	const code = (error as { cause?: { code?: unknown } }).cause?.code;
	return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}
