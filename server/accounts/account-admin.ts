import * as v from 'valibot';
import {
	accountRow,
	FullNameSchema,
	ISSUABLE_ROLES,
	LoginSchema,
	type AccountDoc,
	type AccountRow,
	type AccountService
} from './account-service';
import { AppError } from '../http/app-error';
import type { AuditService } from '../audit/audit-service';
import type { DeviceDoc, DeviceService } from './device-service';
import { forbidden, managesAccountsOf, NOT_MANAGER, type Actor } from '../org/org-access';
import { unitStatus, type ProvisionService, type UnitRecord } from '../couch/provision-service';
import { parse } from '../http/validation';

// Accounts and devices through the API (docs/architecture.md, "Organisation API"): the direct
// superior issues a unit's accounts, resets their passwords, disables them and cuts off their
// devices; an admin also does so for its own unit. Nobody acts on their own account here (the own
// password is changed with the old one, at /api/session/password), and no request can give a role
// other than secretary, deputy or viewer.

export type DeviceRow = Omit<DeviceDoc, '_id' | '_rev' | 'type' | 'secretHash' | 'push'>;

export interface AccountWithDevices extends AccountRow {
	devices: DeviceRow[];
}

// Absent fields arrive as '' so that the field's own Vietnamese message says what is missing.
const IssueSchema = v.object(
	{
		login: v.optional(LoginSchema, ''),
		fullName: v.optional(FullNameSchema, ''),
		role: v.pipe(
			v.optional(v.string('Vui lòng chọn vai trò.'), ''),
			v.check(
				(role) => role !== 'admin',
				'Không được cấp vai trò quản trị: chỉ cấp bí thư, phó bí thư hoặc tài khoản chỉ xem.'
			),
			v.picklist(ISSUABLE_ROLES, 'Vai trò phải là bí thư, phó bí thư hoặc chỉ xem.')
		)
	},
	'Dữ liệu gửi lên không hợp lệ.'
);

function deviceRow(device: Omit<DeviceDoc, 'secretHash'>): DeviceRow {
	// The push subscription never leaves the server (docs/decisions/0022-web-push.md).
	const { _id: _i, _rev: _r, type: _t, push: _p, ...row } = device as DeviceDoc;
	return row;
}

export class AccountAdmin {
	readonly #accounts: AccountService;
	readonly #devices: DeviceService;
	readonly #provision: ProvisionService;
	readonly #audit: AuditService;

	constructor(options: {
		accounts: AccountService;
		devices: DeviceService;
		provision: ProvisionService;
		audit: AuditService;
	}) {
		this.#accounts = options.accounts;
		this.#devices = options.devices;
		this.#provision = options.provision;
		this.#audit = options.audit;
	}

	async #managedUnit(actor: Actor, unitId: string): Promise<UnitRecord> {
		const unit = await this.#provision.getUnit(unitId);
		if (!unit) {
			throw new AppError({
				status: 404,
				error: 'unit_not_found',
				reason: 'Không tìm thấy đơn vị.'
			});
		}
		if (!managesAccountsOf(actor, unit)) throw forbidden(NOT_MANAGER);
		return unit;
	}

	/** Someone else's account that the actor manages. */
	async #managedAccount(actor: Actor, login: string, selfReason: string): Promise<AccountDoc> {
		const account = await this.#accounts.getAccount(login.trim().toLowerCase());
		if (!account) {
			throw new AppError({
				status: 404,
				error: 'account_not_found',
				reason: 'Không tìm thấy tài khoản.'
			});
		}
		if (account.login === actor.login) throw forbidden(selfReason);
		await this.#managedUnit(actor, account.unitId);
		return account;
	}

	async #withDevices(account: AccountDoc): Promise<AccountWithDevices> {
		const devices = await this.#devices.listDevices({ login: account.login });
		return { ...accountRow(account), devices: devices.map(deviceRow) };
	}

	async list(actor: Actor, unitId: string): Promise<AccountWithDevices[]> {
		await this.#managedUnit(actor, unitId);
		const accounts = await this.#accounts.listByUnit(unitId);
		return Promise.all(accounts.map((account) => this.#withDevices(account)));
	}

	async issue(
		actor: Actor,
		unitId: string,
		body: unknown
	): Promise<{ account: AccountWithDevices; temporaryPassword: string }> {
		const unit = await this.#managedUnit(actor, unitId);
		const input = parse(IssueSchema, body, 'Thông tin tài khoản không hợp lệ.');
		if (unitStatus(unit) !== 'active') {
			throw new AppError({
				status: 409,
				error: 'unit_not_active',
				reason: 'Đơn vị đã giải thể hoặc đã hợp nhất: không cấp thêm tài khoản.'
			});
		}
		const { account, temporaryPassword } = await this.#accounts.issueAccount({
			login: input.login,
			fullName: input.fullName,
			role: input.role,
			unitId: unit.id,
			createdBy: actor.login
		});
		await this.#audit.record({
			actor: actor.login,
			action: 'account.create',
			target: { type: 'account', id: account.login },
			details: { unitId: unit.id, role: account.role }
		});
		return { account: { ...accountRow(account), devices: [] }, temporaryPassword };
	}

	async resetPassword(
		actor: Actor,
		login: string
	): Promise<{ account: AccountWithDevices; temporaryPassword: string }> {
		await this.#managedAccount(
			actor,
			login,
			'Hãy đổi mật khẩu của chính mình ở mục Tài khoản (cần mật khẩu hiện tại).'
		);
		const { account, temporaryPassword } = await this.#accounts.resetPassword({
			login,
			by: actor.login
		});
		this.#devices.forgetLogin(account.login);
		await this.#audit.record({
			actor: actor.login,
			action: 'account.reset-password',
			target: { type: 'account', id: account.login }
		});
		return { account: await this.#withDevices(account), temporaryPassword };
	}

	async setDisabled(actor: Actor, login: string, disabled: boolean): Promise<AccountWithDevices> {
		const target = await this.#managedAccount(
			actor,
			login,
			disabled ? 'Không thể tự khóa tài khoản của chính mình.' : 'Không thể tự mở khóa tài khoản.'
		);
		const account = await this.#accounts.setDisabled({
			login: target.login,
			disabled,
			by: actor.login
		});
		this.#devices.forgetLogin(account.login);
		await this.#audit.record({
			actor: actor.login,
			action: disabled ? 'account.disable' : 'account.enable',
			target: { type: 'account', id: account.login }
		});
		return this.#withDevices(account);
	}

	/** The account itself (a lost phone of one's own), or a manager of the account's unit. */
	async revokeDevice(actor: Actor, deviceId: string): Promise<DeviceRow> {
		const device = await this.#devices.getDevice(deviceId);
		if (!device) {
			throw new AppError({
				status: 404,
				error: 'device_not_found',
				reason: 'Không tìm thấy thiết bị.'
			});
		}
		if (device.login !== actor.login) {
			const owner = await this.#accounts.getAccount(device.login);
			const unit = owner ? await this.#provision.getUnit(owner.unitId) : undefined;
			if (!unit || !managesAccountsOf(actor, unit)) {
				throw forbidden('Bạn chỉ thu hồi được thiết bị của mình hoặc của đơn vị mình quản lý.');
			}
		}
		const revoked = await this.#devices.revokeDevice({ deviceId, revokedBy: actor.login });
		if (!revoked) {
			throw new AppError({
				status: 404,
				error: 'device_not_found',
				reason: 'Không tìm thấy thiết bị.'
			});
		}
		await this.#audit.record({
			actor: actor.login,
			action: 'device.revoke',
			target: { type: 'device', id: deviceId },
			details: { login: device.login }
		});
		const { secretHash: _s, ...row } = revoked;
		return deviceRow(row);
	}
}
