import { ApiError } from './api-client';
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
} from './session';
import { syncStatus } from './sync-status.svelte';
import type { SyncProblem } from './sync';

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

	canWrite = $derived(!!this.#info && this.#info.user.role !== 'viewer');

	boot(): Promise<void> {
		this.#booted ??= this.#boot();
		return this.#booted;
	}

	async #boot() {
		const cached = await cachedSession();
		if (cached) {
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
		void syncStatus.start({ dbs: info.dbs, onAuthProblem: (p) => void this.#authProblem(p) });
	}

	async #authProblem(problem: SyncProblem) {
		if (problem.kind === 'revoked') {
			syncStatus.stop();
			await wipeDevice(this.#info?.dbs ?? []);
			this.#info = null;
			this.#state = 'signed-out';
			this.#notice = problem.message;
			return;
		}
		this.#reauth = true;
	}

	async signIn(options: { login: string; password: string }) {
		const info = await signIn(options);
		this.#notice = null;
		this.#open(info);
		return info;
	}

	async setup(input: Parameters<typeof setupFirstUnit>[0]) {
		const info = await setupFirstUnit(input);
		this.#open(info);
		return info;
	}

	async changePassword(options: { oldPassword: string; newPassword: string }) {
		await changePassword(options);
		if (this.#info) this.#info = { ...this.#info, mustChangePassword: false };
	}

	async signOut() {
		syncStatus.stop();
		await signOut();
		this.#info = null;
		this.#state = 'signed-out';
	}
}

export const session = new Session();
