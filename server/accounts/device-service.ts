import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountDoc, AccountService } from './account-service';
import type { CouchClient } from '../couch/couch-client';
import type { DbNames } from '../couch/db-names';

// Signed-in devices (docs/decisions/0005-sessions-and-devices.md). A sign-in creates a device with a
// random secret; the browser keeps `<deviceId>.<secret>` in the dv_session cookie for 400 days, so a
// secretary back from weeks offline syncs without her password, and a superior can revoke the device.
// The truth is in CouchDB; the cache below only saves a round trip per request (servers are
// stateless, so a revocation reaches every server within the cache's lifetime).

export interface DeviceDoc {
	_id: string;
	_rev?: string;
	type: 'device';
	id: string;
	login: string;
	/** sha256 of the secret, hex: the secret itself is only in the device's cookie. */
	secretHash: string;
	createdAt: string;
	lastSeenAt: string;
	/** "Chrome 131 · Android": enough to recognise one's phone in a list, nothing more. */
	userAgent: string;
	revokedAt?: string;
	revokedBy?: string;
	/**
	 * The browser's Web Push subscription (docs/decisions/0022-web-push.md): where the post office
	 * tells this phone that mail arrived. Whoever holds it can send the phone notifications, so it
	 * never leaves the server (device lists leave it out); revocation and sign-out drop it.
	 */
	push?: PushSubscriptionRecord;
}

export interface PushSubscriptionRecord {
	endpoint: string;
	keys: { p256dh: string; auth: string };
	subscribedAt: string;
}

/** A device as lists show it: no secret hash, no push subscription. */
export type DeviceListing = Omit<DeviceDoc, 'secretHash' | 'push'>;

export type DeviceAuthError = 'unauthorized' | 'device_revoked' | 'account_disabled';

export type DeviceAuth =
	| { ok: true; account: AccountDoc; device: DeviceDoc }
	| { ok: false; error: DeviceAuthError; reason: string };

export const DEVICE_AUTH_REASONS: Record<DeviceAuthError, string> = {
	unauthorized: 'Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.',
	device_revoked: 'Thiết bị này đã bị thu hồi quyền truy cập. Vui lòng đăng nhập lại.',
	account_disabled: 'Tài khoản đã bị khóa. Vui lòng liên hệ đơn vị cấp trên.'
};

export const SESSION_COOKIE = 'dv_session';
/** 400 days: the longest lifetime browsers accept for a cookie. */
export const SESSION_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

const COOKIE_PATTERN = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/;
const DESIGN_ID = '_design/devices';

interface CacheEntry {
	at: number;
	device: DeviceDoc | undefined;
	account: AccountDoc | undefined;
}

export class DeviceService {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #accounts: AccountService;
	readonly #cacheMs: number;
	readonly #touchMs: number;
	readonly #now: () => Date;
	readonly #cache = new Map<string, CacheEntry>();
	#anySubscribed: { at: number; yes: boolean } | undefined;

	constructor(options: {
		couch: CouchClient;
		names: DbNames;
		accounts: AccountService;
		cacheMs?: number;
		/** lastSeenAt is written at most this often per device (a write per request would be waste). */
		touchMs?: number;
		now?: () => Date;
	}) {
		this.#couch = options.couch;
		this.#db = options.names.accounts;
		this.#accounts = options.accounts;
		this.#cacheMs = options.cacheMs ?? 10_000;
		this.#touchMs = options.touchMs ?? 5 * 60_000;
		this.#now = options.now ?? (() => new Date());
	}

	/** The index used by listDevices; called once at start. */
	async ensureIndexes(): Promise<void> {
		await this.#couch.putDesignDoc({
			db: this.#db,
			doc: {
				_id: DESIGN_ID,
				language: 'javascript',
				views: {
					by_login: {
						map: "function (doc) { if (doc.type === 'device') emit(doc.login, null); }"
					},
					// The devices the post office may notify: subscribed and not revoked.
					push_by_login: {
						map: "function (doc) { if (doc.type === 'device' && doc.push && !doc.revokedAt) emit(doc.login, null); }"
					}
				}
			}
		});
	}

	async createDevice(options: {
		login: string;
		userAgent?: string | undefined;
	}): Promise<{ device: DeviceDoc; cookieValue: string }> {
		const id = randomBytes(16).toString('hex');
		const secret = randomBytes(32).toString('base64url');
		const at = this.#now().toISOString();
		const device: DeviceDoc = {
			_id: `device:${id}`,
			type: 'device',
			id,
			login: options.login,
			secretHash: sha256(secret),
			createdAt: at,
			lastSeenAt: at,
			userAgent: summariseUserAgent(options.userAgent)
		};
		const { rev } = await this.#couch.putDoc({ db: this.#db, doc: device });
		return { device: { ...device, _rev: rev }, cookieValue: `${id}.${secret}` };
	}

	async authenticateDevice(cookieValue: string | undefined): Promise<DeviceAuth> {
		const match = cookieValue ? COOKIE_PATTERN.exec(cookieValue) : null;
		const [, deviceId, secret] = match ?? [];
		if (!deviceId || !secret) return failure('unauthorized');

		const entry = await this.#load(deviceId);
		const { device, account } = entry;
		if (!device || !safeEqualHex(device.secretHash, sha256(secret))) return failure('unauthorized');
		if (device.revokedAt) return failure('device_revoked');
		if (!account) return failure('unauthorized');
		if (account.disabled) return failure('account_disabled');
		this.#touch(device);
		return { ok: true, account, device };
	}

	async revokeDevice(options: {
		deviceId: string;
		revokedBy: string;
	}): Promise<DeviceDoc | undefined> {
		for (let attempt = 0; attempt < 3; attempt++) {
			const device = await this.getDevice(options.deviceId);
			if (!device) return undefined;
			if (device.revokedAt) return device;
			// A revoked phone is told nothing more: its subscription goes with its access.
			const { push: _push, ...kept } = device;
			const revoked: DeviceDoc = {
				...kept,
				revokedAt: this.#now().toISOString(),
				revokedBy: options.revokedBy
			};
			const res = await this.#couch.request<{ rev?: string }>({
				method: 'PUT',
				path: `${encodeURIComponent(this.#db)}/${encodeURIComponent(device._id)}`,
				body: revoked
			});
			if (res.status === 201 || res.status === 202) {
				this.#cache.delete(options.deviceId);
				return { ...revoked, _rev: res.body.rev };
			}
			// 409: lastSeenAt was being written at the same moment; read again and retry.
			if (res.status !== 409) throw new Error(`revokeDevice: CouchDB answered ${res.status}`);
		}
		throw new Error('revokeDevice: too many conflicts');
	}

	async getDevice(deviceId: string): Promise<DeviceDoc | undefined> {
		if (!/^[0-9a-f]{32}$/.test(deviceId)) return undefined;
		return this.#couch.getDoc<DeviceDoc>({ db: this.#db, id: `device:${deviceId}` });
	}

	/** An account's devices, newest first, without their secret hashes and push subscriptions. */
	async listDevices(options: { login: string }): Promise<DeviceListing[]> {
		const result = await this.#couch.json<{ rows: { doc?: DeviceDoc }[] }>({
			path: `${encodeURIComponent(this.#db)}/${DESIGN_ID}/_view/by_login`,
			query: { key: JSON.stringify(options.login), include_docs: true }
		});
		return result.rows
			.flatMap((row) => (row.doc ? [row.doc] : []))
			.map(({ secretHash: _hash, push: _push, ...device }) => device)
			.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
	}

	/** The subscribed, not revoked devices of these accounts, in one request. */
	async subscribedDevices(logins: readonly string[]): Promise<DeviceDoc[]> {
		if (logins.length === 0) return [];
		const result = await this.#couch.json<{ rows: { doc?: DeviceDoc }[] }>({
			method: 'POST',
			path: `${encodeURIComponent(this.#db)}/${DESIGN_ID}/_view/push_by_login`,
			query: { include_docs: true },
			body: { keys: logins }
		});
		return result.rows.flatMap((row) =>
			row.doc && row.doc.push && !row.doc.revokedAt ? [row.doc] : []
		);
	}

	/**
	 * Whether any device at all is subscribed (the post office skips its look-ups when none is).
	 * A "yes" is kept (a wrong "yes" only costs a query); a "no" for 10 seconds, and a subscription
	 * made through this process ends it at once.
	 */
	async anySubscribed(): Promise<boolean> {
		const now = Date.now();
		if (this.#anySubscribed?.yes) return true;
		if (this.#anySubscribed && now - this.#anySubscribed.at < 10_000) return false;
		const result = await this.#couch.json<{ rows: unknown[] }>({
			path: `${encodeURIComponent(this.#db)}/${DESIGN_ID}/_view/push_by_login`,
			query: { limit: 1 }
		});
		this.#anySubscribed = { at: now, yes: result.rows.length > 0 };
		return this.#anySubscribed.yes;
	}

	/**
	 * Sets (a record) or drops (undefined) a device's push subscription. `onlyEndpoint`: drop it
	 * only while it is still that one (a push service's 410 must not drop a newer subscription).
	 * Answers false when the device is unknown or revoked.
	 */
	async setPush(options: {
		deviceId: string;
		push: PushSubscriptionRecord | undefined;
		onlyEndpoint?: string;
	}): Promise<boolean> {
		for (let attempt = 0; attempt < 3; attempt++) {
			const device = await this.getDevice(options.deviceId);
			if (!device || device.revokedAt) return false;
			if (options.onlyEndpoint !== undefined && device.push?.endpoint !== options.onlyEndpoint) {
				return true;
			}
			if (!options.push && !device.push) return true;
			const { push: _old, ...rest } = device;
			const next: DeviceDoc = options.push ? { ...rest, push: options.push } : rest;
			const res = await this.#couch.request({
				method: 'PUT',
				path: `${encodeURIComponent(this.#db)}/${encodeURIComponent(device._id)}`,
				body: next
			});
			if (res.status === 201 || res.status === 202) {
				this.#cache.delete(options.deviceId);
				if (options.push) this.#anySubscribed = { at: Date.now(), yes: true };
				return true;
			}
			// 409: lastSeenAt was being written at the same moment; read again and retry.
			if (res.status !== 409) throw new Error(`setPush: CouchDB answered ${res.status}`);
		}
		throw new Error('setPush: too many conflicts');
	}

	/** Forgets cached state (after a change made by this process, e.g. an account disabled). */
	forget(deviceId?: string): void {
		if (deviceId) this.#cache.delete(deviceId);
		else this.#cache.clear();
	}

	/** Forgets the cached state of every device of one account (disabled, moved, password reset). */
	forgetLogin(login: string): void {
		for (const [deviceId, entry] of this.#cache) {
			if (entry.device?.login === login || entry.account?.login === login) {
				this.#cache.delete(deviceId);
			}
		}
	}

	async #load(deviceId: string): Promise<CacheEntry> {
		const now = Date.now();
		const cached = this.#cache.get(deviceId);
		if (cached && now - cached.at < this.#cacheMs) return cached;
		const device = await this.getDevice(deviceId);
		const account = device ? await this.#accounts.getAccount(device.login) : undefined;
		const entry: CacheEntry = { at: now, device, account };
		if (this.#cache.size > 50_000) this.#cache.clear();
		this.#cache.set(deviceId, entry);
		return entry;
	}

	#touch(device: DeviceDoc): void {
		const now = this.#now();
		if (now.getTime() - Date.parse(device.lastSeenAt) < this.#touchMs) return;
		// Mark it at once so concurrent requests do not all write.
		device.lastSeenAt = now.toISOString();
		void (async () => {
			const fresh = await this.getDevice(device.id);
			if (!fresh || fresh.revokedAt) return;
			await this.#couch.request({
				method: 'PUT',
				path: `${encodeURIComponent(this.#db)}/${encodeURIComponent(fresh._id)}`,
				body: { ...fresh, lastSeenAt: device.lastSeenAt }
			});
		})().catch(() => {
			// Best effort: a missed lastSeenAt update is harmless.
		});
	}
}

function failure(error: DeviceAuthError): DeviceAuth {
	return { ok: false, error, reason: DEVICE_AUTH_REASONS[error] };
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

function safeEqualHex(a: string, b: string): boolean {
	const left = new Uint8Array(Buffer.from(a, 'hex'));
	const right = new Uint8Array(Buffer.from(b, 'hex'));
	return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** "Chrome 131 · Android", "Safari · iOS", "Cốc Cốc 120 · Windows"; never the raw header. */
export function summariseUserAgent(header: string | undefined): string {
	if (!header) return 'Không rõ';
	const browsers: [RegExp, string][] = [
		[/coc_coc_browser\/(\d+)/i, 'Cốc Cốc'],
		[/Zalo(?:Theme)?\/?(\d*)/i, 'Zalo'],
		[/Edg(?:A|iOS)?\/(\d+)/, 'Edge'],
		[/OPR\/(\d+)/, 'Opera'],
		[/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
		[/Firefox\/(\d+)/, 'Firefox'],
		[/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
		[/Version\/(\d+).*Safari/, 'Safari'],
		[/node|undici/i, 'Node.js']
	];
	const systems: [RegExp, string][] = [
		[/Android/, 'Android'],
		[/iPhone|iPad|iPod/, 'iOS'],
		[/Windows/, 'Windows'],
		[/Mac OS X/, 'macOS'],
		[/CrOS/, 'ChromeOS'],
		[/Linux/, 'Linux']
	];
	let browser = 'Trình duyệt khác';
	for (const [pattern, name] of browsers) {
		const match = pattern.exec(header);
		if (match) {
			browser = match[1] ? `${name} ${match[1]}` : name;
			break;
		}
	}
	const system = systems.find(([pattern]) => pattern.test(header))?.[1];
	return system ? `${browser} · ${system}` : browser;
}
