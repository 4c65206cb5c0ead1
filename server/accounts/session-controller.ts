import type { Request, Response } from 'express';
import * as v from 'valibot';
import {
	isManagerRole,
	type AccountDoc,
	type AccountService,
	type CouchUserKey
} from './account-service';
import { AppError, sendError } from '../http/app-error';
import { isHttps, parseCookies, serializeCookie } from '../http/cookies';
import {
	SESSION_COOKIE,
	SESSION_MAX_AGE_SECONDS,
	type DeviceAuth,
	type DeviceDoc,
	type DeviceService
} from './device-service';
import type { LoginRateLimiter } from './login-rate-limiter';
import { unitDbName } from '../couch/db-names';
import { unitStatus, type ProvisionService, type UnitStatus } from '../couch/provision-service';

// Sign-in, sign-out and "who am I", shared by /api/session and /couch/_session.

/** What the app keeps about the signed-in user (docs/architecture.md). */
export interface SessionInfo {
	user: { login: string; fullName: string; role: string; unitId: string };
	unit: { id: string; name: string; kind: string; db: string; status: UnitStatus };
	device: { id: string };
	/** The unit databases this account syncs by default: its own unit's. */
	dbs: string[];
	mustChangePassword: boolean;
	/**
	 * The account's role manages subordinate units (secretary or admin); which units exactly is
	 * decided per unit (GET /api/units/:id → canManage).
	 */
	canManage: boolean;
	/**
	 * Databases of units this account belonged to before a merge moved it: the device pushes what it
	 * still holds there, then forgets them (docs/architecture.md, "Merge").
	 */
	formerDbs: string[];
}

export const INVALID_CREDENTIALS = {
	error: 'invalid_credentials',
	reason: 'Tên đăng nhập hoặc mật khẩu không đúng.'
};

export const TOO_MANY_ATTEMPTS = {
	error: 'too_many_attempts',
	reason: 'Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.'
};

/** 429 with Retry-After and the wait in minutes (it grows with repeated lockouts). */
export function sendTooManyAttempts(res: Response, retryAfterSeconds: number): void {
	const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
	res.set('retry-after', String(retryAfterSeconds));
	sendError(res, {
		status: 429,
		error: TOO_MANY_ATTEMPTS.error,
		reason: `Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau ${minutes} phút.`
	});
}

const SignInSchema = v.object({
	// CouchDB clients say `name`; our app says `login`.
	login: v.optional(v.string()),
	name: v.optional(v.string()),
	password: v.string()
});

export class SessionController {
	readonly #accounts: AccountService;
	readonly #devices: DeviceService;
	readonly #provision: ProvisionService;
	readonly #limiter: LoginRateLimiter;
	readonly #cookieSecure: 'auto' | boolean;
	readonly #warmCouchSession: ((account: CouchUserKey) => void) | undefined;

	constructor(options: {
		accounts: AccountService;
		devices: DeviceService;
		provision: ProvisionService;
		limiter: LoginRateLimiter;
		cookieSecure: 'auto' | boolean;
		/**
		 * Opens the account's CouchDB session while the app loads after a sign-in: Apache CouchDB
		 * checks a first session with 600,000 PBKDF2 rounds (~0.3 s of its CPU, its default), which
		 * the first sync would otherwise wait for.
		 */
		warmCouchSession?: (account: CouchUserKey) => void;
	}) {
		this.#accounts = options.accounts;
		this.#devices = options.devices;
		this.#provision = options.provision;
		this.#limiter = options.limiter;
		this.#cookieSecure = options.cookieSecure;
		this.#warmCouchSession = options.warmCouchSession;
	}

	/**
	 * Reserves a password change's attempt (per account and per device) before the old password is
	 * checked: it is a guess like a sign-in. Answers 429 itself when the limit is reached.
	 */
	reservePasswordChange(
		res: Response,
		options: { login: string; deviceId: string }
	): { release: () => void } | undefined {
		const attempt = this.#limiter.reservePasswordChange(options);
		if (attempt.ok) return attempt;
		sendTooManyAttempts(res, attempt.retryAfterSeconds);
		return undefined;
	}

	/** Drops cached device state of an account this process just changed. */
	forgetAccount(login: string): void {
		this.#devices.forgetLogin(login);
	}

	hasSessionCookie(req: Request): boolean {
		return parseCookies(req.headers.cookie).has(SESSION_COOKIE);
	}

	/** The device behind this request's cookie; remembered for the rest of the request. */
	async authenticate(req: Request, res: Response): Promise<DeviceAuth> {
		const known = res.locals.deviceAuth as DeviceAuth | undefined;
		if (known) return known;
		const auth = await this.recheck(req);
		res.locals.deviceAuth = auth;
		if (auth.ok) res.locals.login = auth.account.login;
		return auth;
	}

	/**
	 * The device's standing now, not as memoised for this request: a live `_changes` feed lasts for
	 * hours, and a device revoked or an account disabled meanwhile must stop receiving at once.
	 */
	async recheck(req: Request): Promise<DeviceAuth> {
		return this.#devices.authenticateDevice(parseCookies(req.headers.cookie).get(SESSION_COOKIE));
	}

	/** POST /api/session: `{ login, password }` → SessionInfo and a new device cookie. */
	async signIn(req: Request, res: Response): Promise<void> {
		const parsed = v.safeParse(SignInSchema, req.body ?? {});
		const login = (parsed.success ? (parsed.output.login ?? parsed.output.name ?? '') : '')
			.trim()
			.toLowerCase()
			.slice(0, 64);
		if (!parsed.success || !login || !parsed.output.password) {
			sendError(res, {
				status: 400,
				error: 'invalid',
				reason: 'Vui lòng nhập tên đăng nhập và mật khẩu.',
				field: !login ? 'login' : 'password'
			});
			return;
		}
		const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
		// A device already signed in to this very account (its cookie is live) is the user's own
		// phone: the per-login count, which anyone can drive up from anywhere, does not stop it.
		const current = this.hasSessionCookie(req) ? await this.authenticate(req, res) : undefined;
		const knownDevice = current?.ok === true && current.account.login === login;
		// Reserved before the password is checked, so parallel guesses cannot all get an answer.
		const attempt = this.#limiter.reserveSignIn({ login, ip, knownDevice });
		if (!attempt.ok) {
			sendTooManyAttempts(res, attempt.retryAfterSeconds);
			return;
		}
		const result = await this.#accounts.verifyLogin({ login, password: parsed.output.password });
		if (!result.ok) {
			if (result.error === 'account_disabled') {
				sendError(res, {
					status: 403,
					error: 'account_disabled',
					reason: 'Tài khoản đã bị khóa. Vui lòng liên hệ đơn vị cấp trên.'
				});
				return;
			}
			sendError(res, { status: 401, ...INVALID_CREDENTIALS });
			return;
		}
		// Only this attempt is given back: the failures counted against the login may be someone
		// else's, and forgetting them on her success would hand the guesser a fresh allowance.
		attempt.release();
		await this.startSession({ req, res, account: result.account, status: 200 });
	}

	/** Creates a device for an account that just proved itself, sets the cookie, answers SessionInfo. */
	async startSession(options: {
		req: Request;
		res: Response;
		account: AccountDoc;
		status: number;
	}): Promise<void> {
		const { req, res, account } = options;
		// One device per sign-in: a browser signing in again retires the device it had.
		const previous = await this.authenticate(req, res);
		if (previous.ok) {
			await this.#devices.revokeDevice({
				deviceId: previous.device.id,
				revokedBy: account.login
			});
		}
		const { device, cookieValue } = await this.#devices.createDevice({
			login: account.login,
			userAgent: req.headers['user-agent']
		});
		res.locals.login = account.login;
		this.#warmCouchSession?.({ login: account.login, serviceSecret: account.serviceSecret });
		this.#setCookie({ req, res, value: cookieValue, maxAgeSeconds: SESSION_MAX_AGE_SECONDS });
		res
			.status(options.status)
			.set('cache-control', 'no-store')
			.json(await this.sessionInfo({ account, device }));
	}

	/** GET /api/session. */
	async current(req: Request, res: Response): Promise<void> {
		const auth = await this.authenticate(req, res);
		if (!auth.ok) {
			sendError(res, { status: 401, error: auth.error, reason: auth.reason });
			return;
		}
		res
			.set('cache-control', 'no-store')
			.json(await this.sessionInfo({ account: auth.account, device: auth.device }));
	}

	/** DELETE /api/session: the device is retired and its cookie cleared. */
	async signOut(req: Request, res: Response): Promise<void> {
		const auth = await this.authenticate(req, res);
		if (auth.ok) {
			await this.#devices.revokeDevice({ deviceId: auth.device.id, revokedBy: auth.account.login });
		}
		this.#setCookie({ req, res, value: '', maxAgeSeconds: 0 });
		res.set('cache-control', 'no-store').json({ ok: true });
	}

	async sessionInfo(options: { account: AccountDoc; device: DeviceDoc }): Promise<SessionInfo> {
		const { account, device } = options;
		const unit = await this.#provision.getUnit(account.unitId);
		if (!unit) {
			throw new AppError({
				status: 500,
				error: 'unit_missing',
				reason: 'Không tìm thấy đơn vị của tài khoản này. Vui lòng liên hệ đơn vị cấp trên.'
			});
		}
		return {
			user: {
				login: account.login,
				fullName: account.fullName,
				role: account.role,
				unitId: account.unitId
			},
			unit: {
				id: unit.id,
				name: unit.name,
				kind: unit.kind,
				db: unit.db,
				status: unitStatus(unit)
			},
			device: { id: device.id },
			dbs: [unit.db],
			mustChangePassword: account.mustChangePassword,
			canManage: isManagerRole(account.role),
			formerDbs: (account.formerUnitIds ?? []).map(unitDbName)
		};
	}

	#setCookie(options: { req: Request; res: Response; value: string; maxAgeSeconds: number }): void {
		const secure = this.#cookieSecure === 'auto' ? isHttps(options.req) : this.#cookieSecure;
		options.res.append(
			'set-cookie',
			serializeCookie({
				name: SESSION_COOKIE,
				value: options.value,
				maxAgeSeconds: options.maxAgeSeconds,
				secure
			})
		);
	}
}
