import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { AppError } from '../http/app-error';
import { CouchError, type CouchClient } from '../couch/couch-client';
import type { DbNames } from '../couch/db-names';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password-hash';
import {
	accountId,
	couchRoles,
	couchUserId,
	CreateAccountSchema,
	LOGIN_PATTERN,
	NewPasswordSchema,
	temporaryPassword,
	type AccountDoc,
	type CouchUserKey,
	type CreateAccountInput,
	type LoginResult
} from './account-record';
import type { UnitRecord } from '../couch/provision-service';
import type { IssuableRole } from '../../src/lib/domain/org/roles';

// The roles are the organisation's vocabulary (src/lib/domain/org/roles.ts), shared with the screens.
export {
	ACCOUNT_ROLES,
	ISSUABLE_ROLES,
	isManagerRole,
	ROLE_LABELS,
	type AccountRole,
	type IssuableRole
} from '../../src/lib/domain/org/roles';

// The account's record, what the API shows of it and its input rules live in account-record.ts;
// the many readers that import them from here keep doing so.
export {
	accountId,
	accountRow,
	couchRoles,
	couchUserId,
	FullNameSchema,
	LOGIN_PATTERN,
	LoginSchema,
	MIN_PASSWORD_LENGTH,
	NewPasswordSchema,
	temporaryPassword,
	type AccountDoc,
	type AccountRow,
	type CouchUserKey,
	type CreateAccountInput,
	type LoginResult
} from './account-record';

// Accounts (docs/decisions/0005-sessions-and-devices.md). Our server checks the human password; each
// account is also a CouchDB user whose password is a random service secret known only to the server,
// so CouchDB sees the real user (and applies `_security` and validate_doc_update) without the human
// password ever reaching it.

const ACCOUNTS_DESIGN_ID = '_design/accounts';

export function invalid(issues: v.BaseIssue<unknown>[], fallback: string): AppError {
	const issue = issues[0];
	const key = issue?.path?.[0]?.key;
	return new AppError({
		status: 400,
		error: 'invalid',
		reason: issue?.message ?? fallback,
		field: key === undefined ? undefined : String(key)
	});
}

export class AccountService {
	readonly #couch: CouchClient;
	readonly #db: string;
	readonly #getUnit: (id: string) => Promise<UnitRecord | undefined>;
	readonly #now: () => Date;
	readonly #iterations: number | undefined;
	readonly #onCouchUserWritten: ((account: CouchUserKey) => void) | undefined;

	constructor(options: {
		couch: CouchClient;
		names: DbNames;
		getUnit: (id: string) => Promise<UnitRecord | undefined>;
		now?: () => Date;
		/** PBKDF2 iterations for new hashes (password-hash.ts); tests lower it for speed. */
		passwordIterations?: number;
		/** Told when a CouchDB user was written: the server opens its CouchDB session early. */
		onCouchUserWritten?: (account: CouchUserKey) => void;
	}) {
		this.#couch = options.couch;
		this.#db = options.names.accounts;
		this.#getUnit = options.getUnit;
		this.#now = options.now ?? (() => new Date());
		this.#iterations = options.passwordIterations;
		this.#onCouchUserWritten = options.onCouchUserWritten;
	}

	async createAccount(input: CreateAccountInput): Promise<AccountDoc> {
		const parsed = v.safeParse(CreateAccountSchema, input);
		if (!parsed.success) throw invalid(parsed.issues, 'Thông tin tài khoản không hợp lệ.');
		const { login, password, fullName, unitId, role, mustChangePassword, createdBy, phone } =
			parsed.output;
		if (!(await this.#getUnit(unitId))) {
			throw new AppError({
				status: 404,
				error: 'unit_not_found',
				reason: 'Không tìm thấy đơn vị của tài khoản.',
				field: 'unitId'
			});
		}
		if (await this.getAccount(login)) throw loginTaken();

		const at = this.#now().toISOString();
		const account: AccountDoc = {
			_id: accountId(login),
			type: 'account',
			login,
			fullName,
			unitId,
			role,
			passwordHash: await hashPassword(password, this.#iterations),
			serviceSecret: randomBytes(32).toString('base64url'),
			mustChangePassword,
			disabled: false,
			createdAt: at,
			createdBy,
			updatedAt: at,
			updatedBy: createdBy,
			...(phone ? { phone } : {})
		};
		// The CouchDB user first: an account doc without its user could sign in but never sync.
		await this.#putCouchUser(account);
		try {
			const { rev } = await this.#couch.putDoc({ db: this.#db, doc: account });
			return { ...account, _rev: rev };
		} catch (error) {
			if (error instanceof CouchError && error.status === 409) throw loginTaken();
			throw error;
		}
	}

	/** The index behind listByUnit; called once at start. */
	async ensureIndexes(): Promise<void> {
		await this.#couch.putDesignDoc({
			db: this.#db,
			doc: {
				_id: ACCOUNTS_DESIGN_ID,
				language: 'javascript',
				views: {
					by_unit: {
						map: "function (doc) { if (doc.type === 'account') emit(doc.unitId, null); }"
					}
				}
			}
		});
	}

	async listByUnit(unitId: string): Promise<AccountDoc[]> {
		const result = await this.#couch.json<{ rows: { doc?: AccountDoc }[] }>({
			path: `${encodeURIComponent(this.#db)}/${ACCOUNTS_DESIGN_ID}/_view/by_unit`,
			query: { key: JSON.stringify(unitId), include_docs: true }
		});
		return result.rows
			.flatMap((row) => (row.doc ? [row.doc] : []))
			.sort((a, b) => a.login.localeCompare(b.login));
	}

	/** A manager issues an account: a temporary password, to be changed at the first sign-in. */
	async issueAccount(input: {
		login: string;
		fullName: string;
		unitId: string;
		role: IssuableRole;
		createdBy: string;
	}): Promise<{ account: AccountDoc; temporaryPassword: string }> {
		const password = temporaryPassword();
		const account = await this.createAccount({
			...input,
			password,
			mustChangePassword: true
		});
		return { account, temporaryPassword: password };
	}

	/** A new temporary password; the account's devices stay signed in (ADR 0005). */
	async resetPassword(options: {
		login: string;
		by: string;
	}): Promise<{ account: AccountDoc; temporaryPassword: string }> {
		const password = temporaryPassword();
		const passwordHash = await hashPassword(password, this.#iterations);
		const account = await this.#update(options.login, (current) => ({
			...current,
			passwordHash,
			mustChangePassword: true,
			...this.#stamp(options.by)
		}));
		return { account, temporaryPassword: password };
	}

	async setDisabled(options: {
		login: string;
		disabled: boolean;
		by: string;
	}): Promise<AccountDoc> {
		const account = await this.#update(options.login, (current) =>
			current.disabled === options.disabled
				? undefined
				: { ...current, disabled: options.disabled, ...this.#stamp(options.by) }
		);
		await this.#setCouchRoles(account);
		return account;
	}

	/**
	 * Moves an account from one unit to another (a merge). The CouchDB user's roles change first, so
	 * a crash between the two writes leaves the account listed under its old unit and the retried
	 * step does both again. Does nothing when the account has already moved.
	 */
	async moveToUnit(options: {
		login: string;
		from: string;
		to: string;
		by: string;
	}): Promise<AccountDoc | undefined> {
		const current = await this.getAccount(options.login);
		if (!current || current.unitId !== options.from) return current;
		await this.#setCouchRoles({ ...current, unitId: options.to });
		return this.#update(options.login, (account) =>
			account.unitId !== options.from
				? undefined
				: {
						...account,
						unitId: options.to,
						formerUnitIds: [...(account.formerUnitIds ?? []), options.from],
						...this.#stamp(options.by)
					}
		);
	}

	#stamp(by: string): { updatedAt: string; updatedBy: string } {
		return { updatedAt: this.#now().toISOString(), updatedBy: by };
	}

	/** Read, change, write an account, again on a conflict; undefined from `change`: nothing to do. */
	async #update(
		login: string,
		change: (account: AccountDoc) => AccountDoc | undefined
	): Promise<AccountDoc> {
		for (let attempt = 0; attempt < 5; attempt++) {
			const current = await this.getAccount(login);
			if (!current) {
				throw new AppError({
					status: 404,
					error: 'account_not_found',
					reason: 'Không tìm thấy tài khoản.'
				});
			}
			const next = change(current);
			if (!next) return current;
			try {
				const { rev } = await this.#couch.putDoc({ db: this.#db, doc: next });
				return { ...next, _rev: rev };
			} catch (error) {
				if (!(error instanceof CouchError) || error.status !== 409) throw error;
			}
		}
		throw new Error(`account ${login}: too many conflicts`);
	}

	/**
	 * Sets the CouchDB user's roles, keeping its password hash: rewriting the password would change
	 * the user's salt and end every CouchDB session the proxy holds for it.
	 */
	async #setCouchRoles(account: AccountDoc): Promise<void> {
		const id = couchUserId(account.login);
		const roles = couchRoles(account);
		for (let attempt = 0; attempt < 3; attempt++) {
			const user = await this.#couch.getDoc<{ _id: string; _rev: string; roles?: string[] }>({
				db: '_users',
				id
			});
			if (!user) {
				await this.#putCouchUser(account);
				return;
			}
			if (JSON.stringify(user.roles ?? []) === JSON.stringify(roles)) return;
			const res = await this.#couch.request({
				method: 'PUT',
				path: `_users/${encodeURIComponent(id)}`,
				body: { ...user, roles }
			});
			if (res.status === 201 || res.status === 202) return;
			if (res.status !== 409)
				throw new Error(`_users ${account.login}: CouchDB answered ${res.status}`);
		}
		throw new Error(`_users ${account.login}: too many conflicts`);
	}

	async getAccount(login: string): Promise<AccountDoc | undefined> {
		if (!LOGIN_PATTERN.test(login)) return undefined;
		return this.#couch.getDoc<AccountDoc>({ db: this.#db, id: accountId(login) });
	}

	/** Checks a login and password; unknown login and wrong password are indistinguishable. */
	async verifyLogin(options: { login: string; password: string }): Promise<LoginResult> {
		const login = options.login.trim().toLowerCase();
		const account = await this.getAccount(login);
		if (!account) {
			await burnPasswordCheck(options.password);
			return { ok: false, error: 'invalid_credentials' };
		}
		if (!(await verifyPassword({ password: options.password, hash: account.passwordHash }))) {
			return { ok: false, error: 'invalid_credentials' };
		}
		if (account.disabled) return { ok: false, error: 'account_disabled' };
		return { ok: true, account };
	}

	async changePassword(options: {
		login: string;
		oldPassword: string;
		newPassword: string;
	}): Promise<AccountDoc> {
		const next = v.safeParse(NewPasswordSchema, options.newPassword);
		if (!next.success) {
			throw new AppError({
				status: 400,
				error: 'invalid',
				reason: next.issues[0]?.message ?? 'Mật khẩu mới không hợp lệ.',
				field: 'newPassword'
			});
		}
		const account = await this.getAccount(options.login);
		if (
			!account ||
			!(await verifyPassword({ password: options.oldPassword, hash: account.passwordHash }))
		) {
			throw new AppError({
				status: 400,
				error: 'wrong_password',
				reason: 'Mật khẩu hiện tại không đúng.',
				field: 'oldPassword'
			});
		}
		if (options.oldPassword === next.output) {
			throw new AppError({
				status: 400,
				error: 'invalid',
				reason: 'Mật khẩu mới phải khác mật khẩu hiện tại.',
				field: 'newPassword'
			});
		}
		const at = this.#now().toISOString();
		const updated: AccountDoc = {
			...account,
			passwordHash: await hashPassword(next.output, this.#iterations),
			mustChangePassword: false,
			passwordChangedAt: at,
			updatedAt: at,
			updatedBy: account.login
		};
		const { rev } = await this.#couch.putDoc({ db: this.#db, doc: updated });
		return { ...updated, _rev: rev };
	}

	/** Creates or overwrites the CouchDB user of an account (roles and service secret). */
	async #putCouchUser(account: AccountDoc): Promise<void> {
		const id = couchUserId(account.login);
		const existing = await this.#couch.getDoc<{ _id: string; _rev: string }>({
			db: '_users',
			id
		});
		await this.#couch.putDoc({
			db: '_users',
			doc: {
				_id: id,
				...(existing ? { _rev: existing._rev } : {}),
				name: account.login,
				type: 'user',
				roles: couchRoles(account),
				// CouchDB hashes it on write; only the server knows it.
				password: account.serviceSecret
			}
		});
		this.#onCouchUserWritten?.({ login: account.login, serviceSecret: account.serviceSecret });
	}
}

function loginTaken(): AppError {
	return new AppError({
		status: 409,
		error: 'login_taken',
		reason: 'Tên đăng nhập này đã được dùng. Vui lòng chọn tên khác.',
		field: 'login'
	});
}
