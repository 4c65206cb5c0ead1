import * as v from 'valibot';
import { isMemberStatus, isOnRolls } from '../../src/lib/domain/member-statuses';
import { type UnitKindId } from '../../src/lib/domain/unit-kinds';
import type { AccountService } from '../accounts/account-service';
import { AppError } from '../http/app-error';
import type { AuditService } from '../audit/audit-service';
import type { CouchClient } from '../couch/couch-client';
import type { DeviceService } from '../accounts/device-service';
import type { DirectoryIndex } from './directory-index';
import {
	forbidden,
	inSubtree,
	managesAccountsOf,
	managesUnit,
	mayFoundUnder,
	NOT_IN_SUBTREE,
	NOT_MANAGER,
	type Actor
} from './org-access';
import {
	nameHistoryOf,
	unitStatus,
	type ProvisionService,
	type UnitRecord
} from '../couch/provision-service';
import type { SecurityCache } from '../couch/security-cache';
import { parse } from '../http/validation';
import { ReorganisationLocks } from './reorganisation-locks';
import {
	assertMayContain,
	notActive,
	requireUnit,
	summary,
	unitInfo,
	type UnitInfo,
	type UnitView
} from './unit-views';
import { BAD_BODY, UnitIdField, UnitKindField, UnitName } from './unit-fields';

// A unit's life through the API: its view, founding, renaming and dissolving. Every act checks the
// rules of org-access.ts, changes the directory and the unit's own database together
// (ProvisionService.ensureUnitDatabase), and leaves an audit entry.

const CreateUnitSchema = v.object(
	{
		parentId: UnitIdField('Vui lòng chọn đơn vị cấp trên hợp lệ.'),
		name: UnitName,
		kind: UnitKindField
	},
	BAD_BODY
);

const RenameSchema = v.object(
	{
		name: UnitName,
		decision: v.optional(
			v.pipe(
				v.string('Số quyết định phải là chữ.'),
				v.transform((value) => value.normalize('NFC').replace(/\s+/g, ' ').trim()),
				v.maxLength(200, 'Số quyết định quá dài (tối đa 200 ký tự).')
			)
		)
	},
	BAD_BODY
);

export class UnitLifecycle {
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #accounts: AccountService;
	readonly #devices: DeviceService;
	readonly #audit: AuditService;
	readonly #directory: DirectoryIndex;
	readonly #security: SecurityCache;
	readonly #locks: ReorganisationLocks;
	readonly #now: () => Date;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		accounts: AccountService;
		devices: DeviceService;
		audit: AuditService;
		directory: DirectoryIndex;
		security: SecurityCache;
		locks: ReorganisationLocks;
		now: () => Date;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#accounts = options.accounts;
		this.#devices = options.devices;
		this.#audit = options.audit;
		this.#directory = options.directory;
		this.#security = options.security;
		this.#locks = options.locks;
		this.#now = options.now;
	}

	async view(actor: Actor, id: string): Promise<UnitView> {
		const unit = await requireUnit(this.#provision, id);
		if (!inSubtree(actor, unit)) throw forbidden(NOT_IN_SUBTREE);
		await this.#directory.fresh();
		const ancestors = unit.ancestors.map((ancestorId) => {
			const record = this.#directory.get(ancestorId);
			return record
				? summary(record)
				: {
						id: ancestorId,
						name: ancestorId,
						kind: 'tinh-doan' as UnitKindId,
						status: 'active' as const
					};
		});
		return {
			unit: unitInfo(unit),
			ancestors,
			children: this.#directory.children(unit.id).map(summary),
			canManage: managesUnit(actor, unit),
			canManageAccounts: managesAccountsOf(actor, unit)
		};
	}

	async create(actor: Actor, body: unknown): Promise<UnitInfo> {
		const input = parse(CreateUnitSchema, body, 'Thông tin đơn vị không hợp lệ.');
		const parent = await this.#provision.getUnit(input.parentId);
		if (!parent) {
			throw new AppError({
				status: 404,
				error: 'unit_not_found',
				reason: 'Không tìm thấy đơn vị cấp trên.',
				field: 'parentId'
			});
		}
		if (!mayFoundUnder(actor, parent.id)) {
			throw forbidden(
				'Chỉ bí thư hoặc quản trị viên của đơn vị cấp trên trực tiếp được thành lập đơn vị trực thuộc.'
			);
		}
		if (unitStatus(parent) !== 'active') throw notActive(parent);
		assertMayContain({ parent: parent.kind, child: input.kind });
		const record = await this.#provision.createUnit({
			name: input.name,
			kind: input.kind,
			parentId: parent.id,
			createdBy: actor.login
		});
		await this.#audit.record({
			actor: actor.login,
			action: 'unit.create',
			target: { type: 'unit', id: record.id },
			details: { parentId: parent.id, name: record.name, kind: record.kind }
		});
		await this.#directory.refresh();
		return unitInfo(record);
	}

	async rename(actor: Actor, id: string, body: unknown): Promise<UnitInfo> {
		const unit = await requireUnit(this.#provision, id);
		if (!managesUnit(actor, unit)) throw forbidden(NOT_MANAGER);
		const input = parse(RenameSchema, body, 'Tên mới không hợp lệ.');
		if (unitStatus(unit) !== 'active') throw notActive(unit);
		if (input.name === unit.name) {
			throw new AppError({
				status: 422,
				error: 'invalid',
				reason: 'Tên mới trùng với tên hiện tại.',
				field: 'name'
			});
		}
		const at = this.#now().toISOString();
		const decision = input.decision || undefined;
		const renamed = await this.#provision.updateUnit(unit.id, (current) => {
			const history = nameHistoryOf(current);
			const last = history[history.length - 1];
			if (last && last.to === undefined) history[history.length - 1] = { ...last, to: at };
			history.push({
				name: input.name,
				from: at,
				by: actor.login,
				...(decision ? { decision } : {})
			});
			return {
				...current,
				name: input.name,
				nameHistory: history,
				updatedAt: at,
				updatedBy: actor.login
			};
		});
		await this.#provision.ensureUnitDatabase(renamed);
		await this.#audit.record({
			actor: actor.login,
			action: 'unit.rename',
			target: { type: 'unit', id: unit.id },
			details: { from: unit.name, to: input.name, ...(decision ? { decision } : {}) }
		});
		await this.#directory.refresh();
		return unitInfo(renamed);
	}

	async dissolve(actor: Actor, id: string): Promise<UnitInfo> {
		const unit = await requireUnit(this.#provision, id);
		if (!managesUnit(actor, unit)) throw forbidden(NOT_MANAGER);
		if (unitStatus(unit) !== 'active') throw notActive(unit);
		await this.#locks.assertFree(unit);
		const children = (await this.#provision.listChildren(unit.id)).filter(
			(child) => unitStatus(child) === 'active'
		);
		if (children.length > 0) {
			throw new AppError({
				status: 409,
				error: 'unit_has_children',
				reason: `Đơn vị còn ${children.length} đơn vị trực thuộc đang hoạt động; hãy sắp xếp lại các đơn vị đó trước.`
			});
		}
		const onRolls = await this.#countOnRolls(unit);
		if (onRolls > 0) {
			throw new AppError({
				status: 409,
				error: 'unit_has_members',
				reason: `Đơn vị còn ${onRolls} đoàn viên đang sinh hoạt; hãy chuyển sinh hoạt, hợp nhất hoặc tách các đoàn viên này trước khi giải thể.`
			});
		}
		const at = this.#now().toISOString();
		const dissolved = await this.#provision.updateUnit(unit.id, (current) =>
			unitStatus(current) !== 'active'
				? undefined
				: {
						...current,
						status: 'dissolved',
						dissolvedAt: at,
						updatedAt: at,
						updatedBy: actor.login
					}
		);
		// Its records stay readable to its superiors; its database takes no more writes, and its
		// accounts are closed (their phones are refused at their next request).
		await this.#provision.ensureUnitDatabase(dissolved);
		this.#security.forget(dissolved.db);
		for (const account of await this.#accounts.listByUnit(unit.id)) {
			if (account.disabled) continue;
			await this.#accounts.setDisabled({ login: account.login, disabled: true, by: actor.login });
			this.#devices.forgetLogin(account.login);
			await this.#audit.record({
				actor: actor.login,
				action: 'account.disable',
				target: { type: 'account', id: account.login },
				details: { reason: 'unit.dissolve', unitId: unit.id }
			});
		}
		await this.#audit.record({
			actor: actor.login,
			action: 'unit.dissolve',
			target: { type: 'unit', id: unit.id },
			details: { name: unit.name }
		});
		await this.#directory.refresh();
		return unitInfo(dissolved);
	}

	async #countOnRolls(unit: UnitRecord): Promise<number> {
		const rows = await this.#couch.allDocs<{ type?: string; status?: string }>({
			db: unit.db,
			startkey: 'member:',
			endkey: 'member:\ufff0',
			includeDocs: true
		});
		return rows.filter(
			(row) =>
				row.doc?.type === 'member' && isMemberStatus(row.doc.status) && isOnRolls(row.doc.status)
		).length;
	}
}
