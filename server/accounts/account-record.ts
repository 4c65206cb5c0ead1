import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { unitRole } from '../couch/unit-record';
import { ACCOUNT_ROLES, type AccountRole } from '../../src/lib/domain/org/roles';

// An account as the server keeps it (docs/decisions/0005-sessions-and-devices.md): the record in the
// admin-only accounts database, what the API shows of it, its CouchDB user's id and roles, and the
// rules its login, password and name follow. The service that writes accounts: account-service.ts.

/** What opens a CouchDB session for an account (couch-session-cache.ts). */
export interface CouchUserKey {
	login: string;
	serviceSecret: string;
}

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
	/**
	 * The secretary's contact phone, as the organisation sheet gave it (0 and 9–10 digits; the
	 * import's rule, domain/spreadsheets/org-import-plan.ts cleanPhone). Shown to her superiors on
	 * the unit's accounts, and exported back into the same sheet.
	 */
	phone?: string;
	/**
	 * Units this account belonged to before a merge moved it (oldest first): its devices may still
	 * hold unsent changes there, and SessionInfo.formerDbs tells them where to push before forgetting.
	 */
	formerUnitIds?: string[];
}

/** What the API shows of an account: never its password hash or service secret. */
export interface AccountRow {
	login: string;
	fullName: string;
	role: AccountRole;
	unitId: string;
	disabled: boolean;
	mustChangePassword: boolean;
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	updatedBy: string;
	phone?: string;
}

export function accountRow(account: AccountDoc): AccountRow {
	return {
		login: account.login,
		fullName: account.fullName,
		role: account.role,
		unitId: account.unitId,
		disabled: account.disabled,
		mustChangePassword: account.mustChangePassword,
		createdAt: account.createdAt,
		createdBy: account.createdBy,
		updatedAt: account.updatedAt,
		updatedBy: account.updatedBy,
		...(account.phone ? { phone: account.phone } : {})
	};
}

// No 0/o, 1/l/i: read aloud over the phone or copied from a screen without mistakes.
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** "k7mx-2prt-9vha": 12 random characters (~59 bits), shown once to the manager who issued it. */
export function temporaryPassword(): string {
	const bytes = randomBytes(12);
	let out = '';
	for (let i = 0; i < bytes.length; i++) {
		if (i > 0 && i % 4 === 0) out += '-';
		// 256 % 31 leaves a negligible bias for a password that lives until the first sign-in.
		out += TEMPORARY_ALPHABET[(bytes[i] ?? 0) % TEMPORARY_ALPHABET.length];
	}
	return out;
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

/** What founding an account takes, checked before anything is written. */
export const CreateAccountSchema = v.object({
	login: LoginSchema,
	password: NewPasswordSchema,
	fullName: FullNameSchema,
	unitId: v.string(),
	role: v.picklist(ACCOUNT_ROLES, 'Vai trò không hợp lệ.'),
	mustChangePassword: v.optional(v.boolean(), true),
	createdBy: v.pipe(v.string(), v.minLength(1)),
	phone: v.optional(v.pipe(v.string(), v.regex(/^0\d{9,10}$/, 'Số điện thoại không hợp lệ.')))
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

/**
 * The CouchDB user's roles. A disabled account keeps none, so CouchDB itself refuses it even if a
 * session for it survived somewhere.
 */
export function couchRoles(
	account: Pick<AccountDoc, 'unitId' | 'role'> & { disabled?: boolean }
): string[] {
	if (account.disabled) return [];
	return [unitRole(account.unitId), `role:${account.role}`];
}
