import { getSetting, putSetting, deviceDb } from '$lib/data/store/device-db';
import { checkVerifier, makeVerifier, type SecretVerifier } from './local-secret';

// Local unlock: a secretary who signed in once opens the app for weeks without the network, with
// her PIN or her password checked on the device. Too many wrong guesses on a lost phone first
// disable the PIN, then wipe the unit data.

const KEY = 'lock';
/** Locked again when the app comes back after this long in the background or closed. */
export const LOCK_AFTER_MS = 5 * 60_000;
export const MAX_PIN_FAILURES = 5;
export const MAX_PASSWORD_FAILURES = 10;

interface LockState {
	login: string;
	password: SecretVerifier | null;
	pin: SecretVerifier | null;
	pinFailures: number;
	passwordFailures: number;
	lastActiveAt: number;
	/** Locked by hand ("Khóa ngay"): stays locked across reloads until unlocked. */
	lockedByUser?: boolean;
}

export type UnlockResult =
	| { ok: true }
	| { ok: false; message: string; wiped?: boolean; pinDisabled?: boolean };

class AppLock {
	#locked = $state(false);
	#hasPin = $state(false);
	#login = $state<string | null>(null);
	#state: LockState | null = null;
	#onWipe: (() => Promise<void>) | null = null;

	get locked() {
		return this.#locked;
	}
	get hasPin() {
		return this.#hasPin;
	}
	get login() {
		return this.#login;
	}

	async #save() {
		if (this.#state) await putSetting(KEY, this.#state);
		this.#hasPin = !!this.#state?.pin;
	}

	/** At boot with a cached session: lock when the app was away long enough. */
	async restore(options: { login: string; onWipe: () => Promise<void> }) {
		this.#onWipe = options.onWipe;
		const saved = await getSetting<LockState>(KEY);
		this.#state = saved && saved.login === options.login ? saved : null;
		this.#login = options.login;
		this.#hasPin = !!this.#state?.pin;
		const away = Date.now() - (this.#state?.lastActiveAt ?? 0);
		// Without any verifier there is nothing to check offline: the server session decides.
		this.#locked =
			!!this.#state?.password && (away > LOCK_AFTER_MS || !!this.#state.lockedByUser);
		if (typeof document !== 'undefined') {
			document.addEventListener('visibilitychange', this.#onVisibility);
		}
	}

	#onVisibility = () => {
		if (!this.#state) return;
		if (document.visibilityState === 'hidden') {
			void this.touch();
		} else if (Date.now() - this.#state.lastActiveAt > LOCK_AFTER_MS && this.#state.password) {
			this.#locked = true;
		}
	};

	/** Records activity; the lock timer counts from the last time the app was in use. */
	async touch() {
		if (!this.#state || this.#locked) return;
		this.#state.lastActiveAt = Date.now();
		await this.#save();
	}

	/** After a successful sign-in: remember a verifier of the password for offline unlock. */
	async rememberPassword(options: { login: string; password: string }) {
		const previous = await getSetting<LockState>(KEY);
		const keepPin = previous && previous.login === options.login ? previous.pin : null;
		this.#state = {
			login: options.login,
			password: await makeVerifier(options.password),
			pin: keepPin,
			pinFailures: 0,
			passwordFailures: 0,
			lastActiveAt: Date.now()
		};
		this.#login = options.login;
		this.#locked = false;
		await this.#save();
	}

	async setPin(pin: string): Promise<string | null> {
		if (!/^\d{4,8}$/.test(pin)) return 'Mã PIN gồm 4 đến 8 chữ số.';
		if (/^(\d)\1+$/.test(pin) || '0123456789'.includes(pin) || '9876543210'.includes(pin)) {
			return 'Mã PIN quá dễ đoán (dãy số liên tiếp hoặc lặp lại). Hãy chọn mã khác.';
		}
		if (!this.#state) return 'Hãy đăng nhập trước khi đặt mã PIN.';
		this.#state.pin = await makeVerifier(pin);
		this.#state.pinFailures = 0;
		await this.#save();
		return null;
	}

	async removePin() {
		if (!this.#state) return;
		this.#state.pin = null;
		await this.#save();
	}

	async lock() {
		if (!this.#state?.password) return;
		this.#locked = true;
		this.#state.lockedByUser = true;
		await this.#save();
	}

	async unlockWithPin(pin: string): Promise<UnlockResult> {
		const state = this.#state;
		if (!state?.pin) return { ok: false, message: 'Chưa đặt mã PIN. Hãy mở khóa bằng mật khẩu.' };
		if (await checkVerifier({ secret: pin, verifier: state.pin })) {
			return this.#unlocked();
		}
		state.pinFailures += 1;
		if (state.pinFailures >= MAX_PIN_FAILURES) {
			state.pin = null;
			await this.#save();
			return {
				ok: false,
				pinDisabled: true,
				message: `Nhập sai mã PIN ${MAX_PIN_FAILURES} lần. Mã PIN đã bị tắt; hãy mở khóa bằng mật khẩu.`
			};
		}
		await this.#save();
		return {
			ok: false,
			message: `Mã PIN không đúng. Còn ${MAX_PIN_FAILURES - state.pinFailures} lần thử.`
		};
	}

	async unlockWithPassword(password: string): Promise<UnlockResult> {
		const state = this.#state;
		if (!state?.password) return this.#unlocked();
		if (await checkVerifier({ secret: password, verifier: state.password })) {
			return this.#unlocked();
		}
		state.passwordFailures += 1;
		if (state.passwordFailures >= MAX_PASSWORD_FAILURES) {
			await this.#onWipe?.();
			await this.forget();
			return {
				ok: false,
				wiped: true,
				message:
					'Nhập sai mật khẩu quá nhiều lần. Dữ liệu đơn vị đã được xóa khỏi máy này để bảo vệ thông tin đoàn viên.'
			};
		}
		await this.#save();
		return {
			ok: false,
			message: `Mật khẩu không đúng. Còn ${MAX_PASSWORD_FAILURES - state.passwordFailures} lần thử trước khi dữ liệu trên máy bị xóa.`
		};
	}

	async #unlocked(): Promise<UnlockResult> {
		if (this.#state) {
			this.#state.pinFailures = 0;
			this.#state.passwordFailures = 0;
			this.#state.lastActiveAt = Date.now();
			this.#state.lockedByUser = false;
			await this.#save();
		}
		this.#locked = false;
		return { ok: true };
	}

	/** Sign-out and wipes: nothing of the lock survives. */
	async forget() {
		this.#state = null;
		this.#locked = false;
		this.#hasPin = false;
		this.#login = null;
		await deviceDb.settings.delete(KEY);
	}
}

export const appLock = new AppLock();
