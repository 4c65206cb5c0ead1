import { writesUnitData } from '$lib/domain/org';
import { ApiError } from '$lib/data/online/api-client';
import {
	cachedSession,
	changePassword,
	needsSetup,
	refreshSession,
	setupFirstUnit,
	signIn,
	signOut,
	wipeDevice,
	type SessionInfo
} from './sign-in';
import { deviceEngine } from '$lib/data/sync/device-engine.svelte';
import { loadEngineChunk } from '$lib/data/sync/load-engine-chunk';
import { appLock } from '$lib/data/device/app-lock.svelte';
import { forgetPushSubscription } from '$lib/data/device/push-subscription';
import type { SyncProblem } from '$lib/data/sync/unit-sync';
import {
	addPinned,
	forgetDb,
	listPinned,
	removePinned,
	type PinnedUnit
} from '$lib/data/device/pinned-units';
import type { UnitRow } from '$lib/data/store/device-db';
import { dbOfUnit } from '$lib/data/ids';
import { sendPendingExports } from '$lib/data/spreadsheets/export-log-store';

// The signed-in account on this device, reactive. Boots from the cached session so the app opens
// offline; checks with the server in the background when it can.

export type SessionState = 'loading' | 'needs-setup' | 'signed-out' | 'ready';

class Session {
	#state = $state<SessionState>('loading');
	#info = $state<SessionInfo | null>(null);
	/** The server no longer accepts this device's session: sign in again (local data kept). */
	#reauth = $state(false);
	/** Shown once on the sign-in screen after a revoked device wiped itself. */
	#notice = $state<string | null>(null);
	#booted: Promise<void> | null = null;
	#pinned = $state.raw<PinnedUnit[]>([]);
	/** A message for the signed-in user (e.g. her unit was merged). */
	#banner = $state<string | null>(null);
	#relocating = false;

	get state() {
		return this.#state;
	}
	get info() {
		return this.#info;
	}
	get reauth() {
		return this.#reauth;
	}
	get notice() {
		return this.#notice;
	}

	get pinned() {
		return this.#pinned;
	}
	get banner() {
		return this.#banner;
	}
	dismissBanner() {
		this.#banner = null;
	}

	canWrite = $derived(!!this.#info && writesUnitData(this.#info.user.role));

	/** Every unit database on this device: the account's own, then the pinned subordinates. */
	dbs = $derived.by(() => {
		const own = this.#info?.dbs ?? [];
		return [...own, ...this.#pinned.map((p) => p.db).filter((db) => !own.includes(db))];
	});

	boot(): Promise<void> {
		this.#booted ??= this.#boot();
		return this.#booted;
	}

	async #boot() {
		const cached = await cachedSession();
		if (cached) {
			await appLock.restore({
				login: cached.user.login,
				onWipe: async () => {
					deviceEngine.stop();
					await wipeDevice(this.dbs);
					this.#info = null;
					this.#state = 'signed-out';
				}
			});
			this.#open(cached);
			void this.#check();
			return;
		}
		try {
			const setup = await needsSetup();
			this.#state = setup.needsSetup ? 'needs-setup' : 'signed-out';
		} catch {
			this.#state = 'signed-out';
		}
	}

	async #check() {
		try {
			const info = await refreshSession();
			this.#info = info;
			this.#reauth = false;
			if (this.#state === 'ready') deviceEngine.setWriter(this.#writer());
		} catch (error) {
			if (error instanceof ApiError && error.status === 401) {
				await this.#authProblem({
					kind: error.code === 'device_revoked' ? 'revoked' : 'unauthorized',
					message: error.message
				});
			}
			// Offline or server trouble: keep working from the device.
		}
	}

	#open(info: SessionInfo) {
		this.#info = info;
		this.#state = 'ready';
		this.#reauth = false;
		void listPinned().then((pinned) => {
			this.#pinned = pinned;
			this.#startSync();
		});
	}

	/** Who merges concurrent edits here: the account, unless she only views. */
	#writer() {
		const info = this.#info;
		if (!info || !this.canWrite) return null;
		return {
			login: info.user.login,
			report: { db: info.unit.db, unitId: info.unit.id, deviceId: info.device.id }
		};
	}

	#startSync() {
		const own = this.#info?.dbs ?? [];
		void deviceEngine.start({
			dbs: this.dbs,
			pinned: this.#pinned.map((p) => p.db).filter((db) => !own.includes(db)),
			writer: this.#writer(),
			onAuthProblem: (p) => void this.#authProblem(p),
			onUnitMerged: (unit) => void this.#relocate(unit)
		});
	}

	// A unit merged into another (docs/architecture.md, "Merge"): the engine tells once this device
	// has uploaded what it wrote there; the session drops the old database and follows its account
	// to the surviving unit.
	async #relocate(unit: UnitRow) {
		if (this.#relocating || !this.#info || !unit.mergedInto) return;
		this.#relocating = true;
		try {
			const own = this.#info.dbs.includes(unit.db);
			let next: SessionInfo | null = null;
			if (own) {
				// The account moved with the unit: ask the server where it belongs now.
				try {
					next = await refreshSession();
				} catch {
					return; // Offline: try again at the next change.
				}
			}
			deviceEngine.stop();
			await forgetDb(unit.db);
			let pinned = (await removePinned({ db: unit.db, discard: true })).ok
				? await listPinned()
				: this.#pinned;
			const target = dbOfUnit(unit.mergedInto);
			const ownDbs = next?.dbs ?? this.#info.dbs;
			if (!own && !ownDbs.includes(target) && !pinned.some((p) => p.db === target)) {
				pinned = await addPinned({ id: unit.mergedInto, db: target, name: unit.name });
			}
			this.#pinned = pinned;
			this.#banner = `${unit.name} đã được sáp nhập. Dữ liệu trên máy đã chuyển sang đơn vị mới.`;
			if (next) this.#info = next;
			this.#startSync();
		} finally {
			this.#relocating = false;
		}
	}

	/** Keeps a subordinate unit on this device for offline work. */
	async pin(unit: PinnedUnit) {
		this.#pinned = await addPinned(unit);
		this.#startSync();
	}

	/** Refused (returns the number waiting) while changes made there have not been uploaded. */
	async unpin(options: { db: string; discard?: boolean }): Promise<number> {
		deviceEngine.stop();
		const result = await removePinned(options);
		if (result.ok) this.#pinned = result.pinned;
		this.#startSync();
		return result.ok ? 0 : result.pending;
	}

	async #authProblem(problem: SyncProblem) {
		if (problem.kind === 'revoked') {
			// Pull, push and the session check may all learn it at once: wipe once.
			if (this.#state !== 'ready') return;
			this.#state = 'loading';
			deviceEngine.stop();
			await wipeDevice(this.dbs);
			await appLock.forget();
			this.#info = null;
			this.#state = 'signed-out';
			this.#notice = problem.message;
			return;
		}
		this.#reauth = true;
	}

	/** `onAccepted` runs as soon as the server has accepted, before the device's own setup. */
	async signIn(options: { login: string; password: string; onAccepted?: () => void }) {
		// The sync engine's code is needed as soon as the server answers: on a first visit over a
		// slow link it downloads while the password is checked, not after (a failure here is only a
		// later download).
		loadEngineChunk().catch(() => {});
		const info = await signIn({ login: options.login, password: options.password });
		options.onAccepted?.();
		await appLock.rememberPassword({ login: info.user.login, password: options.password });
		this.#notice = null;
		this.#open(info);
		return info;
	}

	async setup(input: Parameters<typeof setupFirstUnit>[0]) {
		const info = await setupFirstUnit(input);
		await appLock.rememberPassword({ login: info.user.login, password: input.password });
		this.#open(info);
		return info;
	}

	async changePassword(options: { oldPassword: string; newPassword: string }) {
		await changePassword(options);
		if (this.#info) {
			await appLock.rememberPassword({
				login: this.#info.user.login,
				password: options.newPassword
			});
		}
		if (this.#info) this.#info = { ...this.#info, mustChangePassword: false };
	}

	async signOut() {
		deviceEngine.stop();
		// Signing out wipes the device: exports not yet in the audit trail go first, if they can.
		await sendPendingExports().catch(() => undefined);
		await signOut();
		// The next person signing in on this phone decides for herself (best effort: offline, the
		// push service's 410 tells the server later).
		await forgetPushSubscription().catch(() => undefined);
		await appLock.forget();
		this.#info = null;
		this.#state = 'signed-out';
	}
}

export const session = new Session();
