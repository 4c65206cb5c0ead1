import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { AppError } from './app-error';
import { CouchError, type CouchClient } from './couch-client';
import type { DbNames } from './db-names';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password-hash';
import { unitRole, type UnitRecord } from './provision-service';

// Accounts (docs/decisions/0005-sessions-and-devices.md). Our server checks the human password; each
// account is also a CouchDB user whose password is a random service secret known only to the server,
// so CouchDB sees the real user (and applies `_security` and validate_doc_update) without the human
// password ever reaching it.

export const ACCOUNT_ROLES = ['secretary', 'deputy', 'viewer', 'admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export const ROLE_LABELS: Record<AccountRole, string> = {
	secretary: 'Bí thư',
	deputy: 'Phó Bí thư',
	viewer: 'Chỉ xem',
	admin: 'Quản trị'
};

export interface AccountDoc {
	_id: string;
	_rev?: string;
	type: 'account';
	login: string;
	fullName: string;
	unitId: string;
	role: AccountRole;
	passwordHash: string;
	/** The CouchDB user's password; this database is admin-only. */
	serviceSecret: string;
	mustChangePassword: boolean;
	disabled: boolean;
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	updatedBy: string;
	passwordChangedAt?: string;
}

export const LOGIN_PATTERN = /^[a-z0-9._-]{3,32}$/;
export const MIN_PASSWORD_LENGTH = 8;

export const LoginSchema = v.pipe(
	v.string('Vui lòng nhập tên đăng nhập.'),
	v.trim(),
	v.toLowerCase(),
	v.regex(
		LOGIN_PATTERN,
		'Tên đăng nhập gồm 3–32 ký tự: chữ không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang.'
	)
);

export const NewPasswordSchema = v.pipe(
	v.string('Vui lòng nhập mật khẩu.'),
	v.minLength(MIN_PASSWORD_LENGTH, `Mật khẩu phải có ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`),
	v.maxLength(200, 'Mật khẩu quá dài (tối đa 200 ký tự).')
);

export const FullNameSchema = v.pipe(
	v.string('Vui lòng nhập họ và tên.'),
	v.transform((value) => value.normalize('NFC').replace(/\s+/g, ' ').trim()),
	v.minLength(2, 'Vui lòng nhập họ và tên.'),
	v.maxLength(100, 'Họ và tên quá dài (tối đa 100 ký tự).')
);

const CreateAccountSchema = v.object({
	login: LoginSchema,
	password: NewPasswordSchema,
	fullName: FullNameSchema,
	unitId: v.string(),
	role: v.picklist(ACCOUNT_ROLES, 'Vai trò không hợp lệ.'),
	mustChangePassword: v.optional(v.boolean(), true),
	createdBy: v.pipe(v.string(), v.minLength(1))
});

export type CreateAccountInput = v.InferInput<typeof CreateAccountSchema>;

export type LoginResult =
	| { ok: true; account: AccountDoc }
	| { ok: false; error: 'invalid_credentials' | 'account_disabled' };

export function accountId(login: string): string {
	return `account:${login}`;
}

export function couchUserId(login: string): string {
	return `org.couchdb.user:${login}`;
}

export function couchRoles(account: Pick<AccountDoc, 'unitId' | 'role'>): string[] {
	return [unitRole(account.unitId), `role:${account.role}`];
}

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

	constructor(options: {
		couch: CouchClient;
		names: DbNames;
		getUnit: (id: string) => Promise<UnitRecord | undefined>;
		now?: () => Date;
	}) {
		this.#couch = options.couch;
		this.#db = options.names.accounts;
		this.#getUnit = options.getUnit;
		this.#now = options.now ?? (() => new Date());
	}

	async createAccount(input: CreateAccountInput): Promise<AccountDoc> {
		const parsed = v.safeParse(CreateAccountSchema, input);
		if (!parsed.success) throw invalid(parsed.issues, 'Thông tin tài khoản không hợp lệ.');
		const { login, password, fullName, unitId, role, mustChangePassword, createdBy } =
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
			passwordHash: await hashPassword(password),
			serviceSecret: randomBytes(32).toString('base64url'),
			mustChangePassword,
			disabled: false,
			createdAt: at,
			createdBy,
			updatedAt: at,
			updatedBy: createdBy
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
			passwordHash: await hashPassword(next.output),
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
