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
// The payload is encrypted for the phone (RFC 8291, aes128gcm) and still carries nothing personal:
// `{ kind: 'mail', count }`, no subject, no sender, no name — the phone's service worker shows a
// generic sentence and the mail itself arrives by sync. A push service answering 404 or 410 says
// the subscription is gone: it is dropped from the device. Logs name the device, never the endpoint
// (a capability: whoever holds it can notify the phone).

/** The push services keep an undelivered notice this long (a phone off for the night still gets it). */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
/** Units waiting beyond this are dropped (logged): a notice is a courtesy, the mail is in the inbox. */
const MAX_QUEUED_UNITS = 10_000;

export interface MailPushPayload {
	kind: 'mail';
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
	/** Units waiting, with how many mails arrived for each since it was queued. */
	readonly #queue = new Map<string, number>();
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
		if (this.#stopped) return;
		for (const unitId of unitIds) {
			const waiting = this.#queue.get(unitId);
			if (waiting !== undefined) this.#queue.set(unitId, waiting + 1);
			else if (this.#queue.size >= MAX_QUEUED_UNITS) this.#logger.info('push_dropped', { unitId });
			else this.#queue.set(unitId, 1);
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
			const [unitId, count] = this.#queue.entries().next().value as [string, number];
			this.#queue.delete(unitId);
			this.#running++;
			this.#notifyUnit(unitId, count)
				.catch((error: unknown) => {
					this.#logger.error('push_failed', { unitId, error: errorName(error) });
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

	async #notifyUnit(unitId: string, count: number): Promise<void> {
		// A deployment where no phone subscribed costs no look-ups per delivered copy.
		if (!(await this.#devices.anySubscribed())) return;
		const accounts = await this.#accounts.listByUnit(unitId);
		const logins = accounts
			.filter((account) => !account.disabled && account.unitId === unitId)
			.map((account) => account.login);
		const devices = await this.#devices.subscribedDevices(logins);
		if (devices.length === 0) return;
		const keys = await this.#vapid.get();
		const payload: MailPushPayload = { kind: 'mail', count };
		for (const device of devices) await this.#send(device, JSON.stringify(payload), keys);
	}

	async #send(
		device: DeviceDoc,
		payload: string,
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
				payload,
				{
					vapidDetails: { subject: this.#contact, ...keys },
					TTL: PUSH_TTL_SECONDS,
					contentEncoding: 'aes128gcm',
					urgency: 'normal',
					// A push service keeps only the newest undelivered notice of one topic.
					topic: 'mail'
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
