import * as v from 'valibot';
import { fullName, memberSortKey } from '../../src/lib/domain/names';
import { isMemberStatus, isOnRolls } from '../../src/lib/domain/member-statuses';
import {
	canContain,
	DATABASE_UNIT_KINDS,
	getUnitKind,
	unitKindLabel,
	type UnitKindId
} from '../../src/lib/domain/unit-kinds';
import type { AccountService } from '../accounts/account-service';
import { AppError } from '../http/app-error';
import type { AuditService } from '../audit/audit-service';
import type { CouchClient } from '../couch/couch-client';
import type { CouchSessionCache } from '../couch/session-cache';
import type { DeviceService } from '../accounts/device-service';
import type { DirectoryEntry, DirectoryIndex } from './directory-index';
import {
	jobView,
	mergeJobId,
	splitJobId,
	type JobDoc,
	type JobService,
	type JobView
} from '../workers/job-service';
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
	type NameEntry,
	type ProvisionService,
	type UnitRecord,
	type UnitStatus
} from '../couch/provision-service';
import { newUnitId, UNIT_ID_PATTERN } from '../couch/db-names';
import type { SecurityCache } from '../couch/security-cache';
import { parse } from '../http/validation';
import { MERGE_STEPS } from '../workers/merge-worker';
import { SPLIT_STEPS } from '../workers/split-worker';

// The unit tree through the API (docs/architecture.md, "Organisation API"): views of the subtree,
// founding, renaming, dissolving, and asking for merges and splits (which the workers carry out).
// Every act checks the rules of org-access.ts, changes the directory and the unit's own database
// together (ProvisionService.ensureUnitDatabase), and leaves an audit entry.

export interface UnitSummary {
	id: string;
	name: string;
	kind: UnitKindId;
	status: UnitStatus;
}

export interface UnitInfo extends UnitSummary {
	parentId: string | null;
	db: string;
	mergedInto?: string;
	mergedFrom?: string[];
	nameHistory: NameEntry[];
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	updatedBy: string;
	dissolvedAt?: string;
	closedAt?: string;
	/** A merge or split holding the unit, if any (GET /api/jobs/:id). */
	job?: string;
}

export interface UnitView {
	unit: UnitInfo;
	ancestors: UnitSummary[];
	children: UnitSummary[];
	/** The actor is this unit's direct superior's secretary or admin (rename, merge, split…). */
	canManage: boolean;
	/** The actor may list and issue this unit's accounts (canManage, or the unit's own admin). */
	canManageAccounts: boolean;
}

export interface OnlineMemberRow {
	id: string;
	fullName: string;
	familyName: string;
	middleName: string;
	givenName: string;
	birthDate: string;
	status: string;
	branchId?: string;
}

export interface MemberPage {
	rows: OnlineMemberRow[];
	total: number;
	offset: number;
	limit: number;
	branches: { id: string; name: string }[];
}

export function summary(record: UnitRecord): UnitSummary {
	return { id: record.id, name: record.name, kind: record.kind, status: unitStatus(record) };
}

export function unitInfo(record: UnitRecord): UnitInfo {
	return {
		...summary(record),
		parentId: record.parentId,
		db: record.db,
		...(record.mergedInto ? { mergedInto: record.mergedInto } : {}),
		...(record.mergedFrom?.length ? { mergedFrom: record.mergedFrom } : {}),
		nameHistory: nameHistoryOf(record),
		createdAt: record.createdAt,
		createdBy: record.createdBy,
		updatedAt: record.updatedAt ?? record.createdAt,
		updatedBy: record.updatedBy ?? record.createdBy,
		...(record.dissolvedAt ? { dissolvedAt: record.dissolvedAt } : {}),
		...(record.closedAt ? { closedAt: record.closedAt } : {}),
		...(record.lock ? { job: record.lock } : {})
	};
}

// Absent fields arrive as '' so that the field's own Vietnamese message says what is missing.
const UnitName = v.pipe(
	v.optional(v.string('Tên đơn vị phải là chữ.'), ''),
	v.transform((value) => value.normalize('NFC').replace(/\s+/g, ' ').trim()),
	v.minLength(2, 'Vui lòng nhập tên đơn vị (ít nhất 2 ký tự).'),
	v.maxLength(200, 'Tên đơn vị quá dài (tối đa 200 ký tự).')
);

const UnitIdField = (message: string) =>
	v.pipe(v.optional(v.string(message), ''), v.regex(UNIT_ID_PATTERN, message));

const BAD_BODY = 'Dữ liệu gửi lên không hợp lệ.';

// Branches and liên chi đoàn are documents of their grassroots unit (ADR 0004), not units here.
const DB_KIND_IDS = DATABASE_UNIT_KINDS.map((kind) => kind.id);
const UnitKindField = v.pipe(
	v.optional(v.string('Vui lòng chọn loại đơn vị.'), ''),
	v.check(
		(kind) => getUnitKind(kind)?.hasDatabase !== false,
		'Chi đoàn và liên chi đoàn không phải đơn vị riêng: hãy thêm chúng trong đơn vị cơ sở của mình.'
	),
	v.picklist(DB_KIND_IDS, 'Loại đơn vị không hợp lệ.')
);

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

const MergeSchema = v.object(
	{ intoId: UnitIdField('Vui lòng chọn đơn vị nhận hợp nhất.') },
	BAD_BODY
);

const SplitSchema = v.object(
	{
		name: UnitName,
		kind: UnitKindField,
		branchIds: v.pipe(
			v.optional(
				v.array(
					v.pipe(
						v.string('Mã chi đoàn không hợp lệ.'),
						v.regex(/^branch:[^\s]{1,100}$/, 'Mã chi đoàn không hợp lệ.')
					),
					'Vui lòng chọn các chi đoàn được tách.'
				),
				[]
			),
			v.minLength(1, 'Vui lòng chọn ít nhất một chi đoàn để tách.'),
			v.maxLength(500, 'Quá nhiều chi đoàn trong một lần tách.')
		)
	},
	BAD_BODY
);

export const DirectoryQuerySchema = v.object({
	q: v.optional(
		v.pipe(
			v.string('Từ khóa tìm kiếm không hợp lệ.'),
			v.maxLength(200, 'Từ khóa tìm kiếm quá dài.')
		),
		''
	),
	limit: v.optional(
		v.pipe(
			v.string('Số kết quả phải là một số.'),
			v.regex(/^\d{1,4}$/, 'Số kết quả phải là một số.'),
			v.transform(Number),
			v.minValue(1, 'Số kết quả phải từ 1 đến 100.'),
			v.maxValue(100, 'Số kết quả phải từ 1 đến 100.')
		),
		'20'
	)
});

export const PageQuerySchema = v.object({
	offset: v.optional(
		v.pipe(
			v.string('Vị trí bắt đầu phải là một số.'),
			v.regex(/^\d{1,7}$/, 'Vị trí bắt đầu phải là một số.'),
			v.transform(Number)
		),
		'0'
	),
	limit: v.optional(
		v.pipe(
			v.string('Số dòng phải là một số.'),
			v.regex(/^\d{1,4}$/, 'Số dòng phải là một số.'),
			v.transform(Number),
			v.minValue(1, 'Số dòng phải từ 1 đến 500.'),
			v.maxValue(500, 'Số dòng phải từ 1 đến 500.')
		),
		'50'
	)
});

function notFound(): AppError {
	return new AppError({ status: 404, error: 'unit_not_found', reason: 'Không tìm thấy đơn vị.' });
}

function notActive(unit: UnitRecord): AppError {
	const status = unitStatus(unit);
	return new AppError({
		status: 409,
		error: 'unit_not_active',
		reason:
			status === 'merged'
				? `"${unit.name}" đã được hợp nhất vào đơn vị khác.`
				: `"${unit.name}" đã giải thể.`
	});
}

function busy(unit: UnitRecord): AppError {
	return new AppError({
		status: 409,
		error: 'unit_busy',
		reason: `"${unit.name}" đang được hợp nhất hoặc chia tách; vui lòng chờ thao tác đó xong.`
	});
}

export class UnitService {
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #accounts: AccountService;
	readonly #devices: DeviceService;
	readonly #jobs: JobService;
	readonly #audit: AuditService;
	readonly #directory: DirectoryIndex;
	readonly #security: SecurityCache;
	readonly #couchSessions: CouchSessionCache;
	readonly #onJobCreated: () => void;
	readonly #now: () => Date;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		accounts: AccountService;
		devices: DeviceService;
		jobs: JobService;
		audit: AuditService;
		directory: DirectoryIndex;
		security: SecurityCache;
		couchSessions: CouchSessionCache;
		onJobCreated: () => void;
		now?: () => Date;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#accounts = options.accounts;
		this.#devices = options.devices;
		this.#jobs = options.jobs;
		this.#audit = options.audit;
		this.#directory = options.directory;
		this.#security = options.security;
		this.#couchSessions = options.couchSessions;
		this.#onJobCreated = options.onJobCreated;
		this.#now = options.now ?? (() => new Date());
	}

	async #unit(id: string): Promise<UnitRecord> {
		const unit = await this.#provision.getUnit(id);
		if (!unit) throw notFound();
		return unit;
	}

	async view(actor: Actor, id: string): Promise<UnitView> {
		const unit = await this.#unit(id);
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
		if (!canContain({ parent: parent.kind, child: input.kind })) {
			throw new AppError({
				status: 422,
				error: 'invalid_kind',
				reason: `${unitKindLabel(input.kind)} không thể trực thuộc ${unitKindLabel(parent.kind)}.`,
				field: 'kind'
			});
		}
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
		const unit = await this.#unit(id);
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
		const unit = await this.#unit(id);
		if (!managesUnit(actor, unit)) throw forbidden(NOT_MANAGER);
		if (unitStatus(unit) !== 'active') throw notActive(unit);
		await this.#assertFree(unit);
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

	async requestMerge(actor: Actor, id: string, body: unknown): Promise<JobView> {
		const source = await this.#unit(id);
		if (!managesUnit(actor, source)) throw forbidden(NOT_MANAGER);
		const input = parse(MergeSchema, body, 'Vui lòng chọn đơn vị nhận hợp nhất.');
		if (input.intoId === source.id) {
			throw new AppError({
				status: 422,
				error: 'invalid',
				reason: 'Không thể hợp nhất một đơn vị vào chính nó.',
				field: 'intoId'
			});
		}
		const target = await this.#provision.getUnit(input.intoId);
		if (!target) {
			throw new AppError({
				status: 404,
				error: 'unit_not_found',
				reason: 'Không tìm thấy đơn vị nhận hợp nhất.',
				field: 'intoId'
			});
		}
		if (target.parentId !== source.parentId) {
			throw new AppError({
				status: 422,
				error: 'not_siblings',
				reason: 'Chỉ hợp nhất được các đơn vị có cùng đơn vị cấp trên trực tiếp.',
				field: 'intoId'
			});
		}
		const jobId = mergeJobId({ sourceId: source.id, targetId: target.id });
		const known = await this.#resume(actor, jobId, source);
		if (known) return known;
		if (unitStatus(source) !== 'active') throw notActive(source);
		if (unitStatus(target) !== 'active') throw notActive(target);
		await this.#assertFree(source, jobId);
		if (target.lock && (await this.#lockHeld(target.lock))) throw busy(target);
		return this.#startJob(actor, source, {
			_id: jobId,
			kind: 'merge',
			targetId: target.id,
			params: {},
			steps: [...MERGE_STEPS]
		});
	}

	async requestSplit(actor: Actor, id: string, body: unknown): Promise<JobView> {
		const source = await this.#unit(id);
		if (!managesUnit(actor, source) || !source.parentId) throw forbidden(NOT_MANAGER);
		const input = parse(SplitSchema, body, 'Thông tin chia tách không hợp lệ.');
		const parent = await this.#unit(source.parentId);
		if (!canContain({ parent: parent.kind, child: input.kind })) {
			throw new AppError({
				status: 422,
				error: 'invalid_kind',
				reason: `${unitKindLabel(input.kind)} không thể trực thuộc ${unitKindLabel(parent.kind)}.`,
				field: 'kind'
			});
		}
		const branchIds = [...new Set(input.branchIds)];
		const jobId = splitJobId({ sourceId: source.id, branchIds });
		const known = await this.#resume(actor, jobId, source);
		if (known) return known;
		if (unitStatus(source) !== 'active') throw notActive(source);
		await this.#assertFree(source, jobId);
		const rows = await this.#couch.allDocs<{ type?: string }>({
			db: source.db,
			keys: branchIds,
			includeDocs: true
		});
		const missing = rows.filter(
			(row) => !row.doc || row.doc.type !== 'branch' || row.value?.deleted
		);
		if (missing.length > 0) {
			throw new AppError({
				status: 422,
				error: 'invalid',
				reason: `Không tìm thấy ${missing.length} chi đoàn đã chọn trong đơn vị này.`,
				field: 'branchIds'
			});
		}
		return this.#startJob(actor, source, {
			_id: jobId,
			kind: 'split',
			targetId: newUnitId(),
			params: { name: input.name, kind: input.kind, branchIds },
			steps: [...SPLIT_STEPS]
		});
	}

	async getJob(actor: Actor, id: string): Promise<JobView> {
		return jobView(await this.#jobFor(actor, id));
	}

	/** The job, if the actor may see it: who started it, and the managers of the unit it reorganises. */
	async #jobFor(actor: Actor, id: string): Promise<JobDoc> {
		const job = await this.#jobs.get(id);
		if (!job) {
			throw new AppError({
				status: 404,
				error: 'job_not_found',
				reason: 'Không tìm thấy thao tác.'
			});
		}
		if (job.createdBy !== actor.login && !managesUnit(actor, { parentId: job.parentId })) {
			throw forbidden('Bạn không theo dõi được thao tác này.');
		}
		return job;
	}

	/**
	 * Stops forwarding late changes after a merge or split, after one last pass. A merged unit's
	 * database then refuses every write: phones that still hold changes there must have synced.
	 */
	async closeForwarding(
		actor: Actor,
		id: string,
		forwardNow: (job: JobDoc) => Promise<number>
	): Promise<JobView> {
		let job = await this.#jobFor(actor, id);
		if (!managesUnit(actor, { parentId: job.parentId })) throw forbidden(NOT_MANAGER);
		if (job.state !== 'done' || job.forwarding !== 'open') {
			throw new AppError({
				status: 409,
				error: 'not_forwarding',
				reason: 'Thao tác này chưa xong hoặc đã đóng việc chuyển tiếp dữ liệu.'
			});
		}
		await forwardNow(job);
		const at = this.#now().toISOString();
		for (let attempt = 0; ; attempt++) {
			try {
				job = await this.#jobs.put({
					...job,
					forwarding: 'closed',
					forwardingClosedAt: at,
					forwardingClosedBy: actor.login
				});
				break;
			} catch (error) {
				const fresh = await this.#jobs.get(id);
				if (attempt >= 3 || !fresh) throw error;
				job = fresh;
			}
		}
		if (job.kind === 'merge') {
			const closed = await this.#provision.updateUnit(job.sourceId, (current) =>
				current.closedAt
					? undefined
					: { ...current, closedAt: at, updatedAt: at, updatedBy: actor.login }
			);
			await this.#provision.ensureUnitDatabase(closed);
		}
		await this.#audit.record({
			actor: actor.login,
			action: 'unit.forwarding.close',
			target: { type: 'job', id: job._id },
			details: { sourceId: job.sourceId, targetId: job.targetId }
		});
		return jobView(job);
	}

	/** GET /api/directory: any signed-in account; names and places only, never members. */
	async search(query: unknown): Promise<DirectoryEntry[]> {
		const input = parse(DirectoryQuerySchema, query, 'Từ khóa tìm kiếm không hợp lệ.');
		await this.#directory.fresh();
		return this.#directory.search({ q: input.q, limit: input.limit });
	}

	/**
	 * A page of a unit's members for the online roster, read from the unit database *as the user*,
	 * through the same CouchDB session the proxy uses: CouchDB's `_security` decides, not this server.
	 */
	async members(actor: Actor, id: string, query: unknown): Promise<MemberPage> {
		const unit = await this.#unit(id);
		if (!inSubtree(actor, unit)) throw forbidden(NOT_IN_SUBTREE);
		const page = parse(PageQuerySchema, query, 'Tham số phân trang không hợp lệ.');
		const [members, branches] = await Promise.all([
			this.#readAsUser<MemberLike>(actor, unit.db, 'member:'),
			this.#readAsUser<{ _id: string; name?: string; type?: string }>(actor, unit.db, 'branch:')
		]);
		const rows = members
			.filter((doc) => doc.type === 'member')
			.map((doc) => ({ doc, key: memberSortKey(nameParts(doc)) }))
			.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
			.map(({ doc }) => memberRow(doc));
		return {
			rows: rows.slice(page.offset, page.offset + page.limit),
			total: rows.length,
			offset: page.offset,
			limit: page.limit,
			branches: branches
				.filter((doc) => doc.type === 'branch')
				.map((doc) => ({ id: doc._id, name: String(doc.name ?? '') }))
		};
	}

	async #readAsUser<T>(actor: Actor, db: string, prefix: string): Promise<T[]> {
		const login = actor.account.login;
		const serviceSecret = actor.account.serviceSecret;
		for (let attempt = 0; attempt < 2; attempt++) {
			const cookie = await this.#couchSessions.get({ login, serviceSecret });
			const res = await this.#couch.request<{ rows?: { doc?: T | null }[] }>({
				path: `${encodeURIComponent(db)}/_all_docs`,
				query: {
					startkey: JSON.stringify(prefix),
					endkey: JSON.stringify(`${prefix}\ufff0`),
					include_docs: true
				},
				auth: { cookie }
			});
			if (res.status === 200) {
				return (res.body.rows ?? []).flatMap((row) => (row.doc ? [row.doc] : []));
			}
			if (res.status === 401 && attempt === 0) {
				// Our CouchDB session expired: sign in again once.
				this.#couchSessions.invalidate(login);
				continue;
			}
			if (res.status === 401 || res.status === 403) {
				throw forbidden('Bạn không có quyền truy cập dữ liệu của đơn vị này.');
			}
			throw new Error(`members of ${db}: CouchDB answered ${res.status}`);
		}
		throw forbidden('Bạn không có quyền truy cập dữ liệu của đơn vị này.');
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

	/** Whether a lock still stands: its job exists and has not ended. */
	async #lockHeld(jobId: string): Promise<boolean> {
		const job = await this.#jobs.get(jobId);
		return Boolean(job && (job.state === 'queued' || job.state === 'running' || job.step > 0));
	}

	/** No merge or split holds the unit, and none is bringing another unit into it. */
	async #assertFree(unit: UnitRecord, ownJob?: string): Promise<void> {
		if (unit.lock && unit.lock !== ownJob && (await this.#lockHeld(unit.lock))) throw busy(unit);
		const incoming = (await this.#jobs.listOpen()).filter(
			(job) => job.kind === 'merge' && job.targetId === unit.id
		);
		if (incoming.length > 0) throw busy(unit);
	}

	/** The same request again: the same job (a failed one starts again where it stopped). */
	async #resume(actor: Actor, jobId: string, source: UnitRecord): Promise<JobView | undefined> {
		const existing = await this.#jobs.get(jobId);
		if (!existing) return undefined;
		if (existing.state !== 'failed') return jobView(existing);
		// A job that failed before changing anything let the unit go: it takes it again.
		await this.#assertFree(source, jobId);
		await this.#lock(source, jobId);
		const { error: _e, retryAt: _r, finishedAt: _f, lease: _l, ...rest } = existing;
		const requeued = await this.#jobs.put({ ...rest, state: 'queued', attempts: 0 });
		await this.#audit.record({
			actor: actor.login,
			action: requeued.kind === 'merge' ? 'unit.merge.request' : 'unit.split.request',
			target: { type: 'unit', id: requeued.sourceId },
			details: { job: requeued._id, resumed: true }
		});
		this.#onJobCreated();
		return jobView(requeued);
	}

	/**
	 * Of two different reorganisations asked at once, one gets the unit, the other a 409. A lock seen
	 * stale by #assertFree (its job never got written, or ended) is taken over.
	 */
	async #lock(source: UnitRecord, jobId: string): Promise<void> {
		const staleLock = source.lock;
		await this.#provision.updateUnit(source.id, (current) => {
			if (current.lock === jobId) return undefined;
			if (current.lock && current.lock !== staleLock) throw busy(current);
			return { ...current, lock: jobId };
		});
	}

	async #startJob(
		actor: Actor,
		source: UnitRecord,
		spec: Pick<JobDoc, '_id' | 'kind' | 'targetId' | 'params' | 'steps'>
	): Promise<JobView> {
		await this.#lock(source, spec._id);
		const at = this.#now().toISOString();
		const { job, created } = await this.#jobs.create({
			...spec,
			type: 'job',
			state: 'queued',
			sourceId: source.id,
			parentId: source.parentId ?? '',
			createdAt: at,
			createdBy: actor.login,
			updatedAt: at,
			step: 0,
			attempts: 0,
			data: {}
		});
		if (created) {
			await this.#audit.record({
				actor: actor.login,
				action: spec.kind === 'merge' ? 'unit.merge.request' : 'unit.split.request',
				target: { type: 'unit', id: source.id },
				details: {
					job: job._id,
					targetId: job.targetId,
					...(spec.kind === 'split'
						? {
								name: spec.params.name,
								kind: spec.params.kind,
								branches: spec.params.branchIds?.length
							}
						: {})
				}
			});
		}
		await this.#directory.refresh();
		this.#onJobCreated();
		return jobView(job);
	}
}

interface MemberLike {
	_id: string;
	type?: string;
	familyName?: string;
	middleName?: string;
	givenName?: string;
	birthDate?: string;
	status?: string;
	branchId?: string;
}

function nameParts(doc: MemberLike) {
	return {
		familyName: doc.familyName ?? '',
		middleName: doc.middleName ?? '',
		givenName: doc.givenName ?? ''
	};
}

/** The roster row: enough to recognise a member, nothing of their identity documents. */
function memberRow(doc: MemberLike): OnlineMemberRow {
	const parts = nameParts(doc);
	return {
		id: doc._id,
		fullName: fullName(parts),
		...parts,
		birthDate: doc.birthDate ?? '',
		status: doc.status ?? '',
		...(doc.branchId ? { branchId: doc.branchId } : {})
	};
}
