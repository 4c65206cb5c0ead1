import * as v from 'valibot';
import {
	canContain,
	getUnitKind,
	UNIT_KINDS,
	unitKindLabel
} from '../../src/lib/domain/unit-kinds';
import { AppError } from '../http/app-error';
import { CouchError, type CouchClient } from './couch-client';
import { newUnitId, UNIT_ID_PATTERN, unitDbName, type DbNames } from './db-names';
import { buildDesignDoc, DESIGN_DOC_VERSION } from './design-doc';
import {
	ADMIN_ONLY_SECURITY,
	designMode,
	unitDocFor,
	unitSecurity,
	type UnitDoc,
	type UnitRecord
} from './unit-record';

// Creates what the server owns in CouchDB: the system databases, and for each unit its directory
// entry, its database (with `_security` and the design document) and the `unit` document inside it.
// Every step is idempotent, so a crash half-way is repaired by running the same call again.

// The statuses are the domain's (src/lib/domain/org/unit-status.ts).
export type { UnitStatus } from '../../src/lib/domain/org/unit-status';
// The unit's record and what follows from it live in unit-record.ts; the many readers that import
// them from here keep doing so.
export {
	ADMIN_ONLY_SECURITY,
	designMode,
	nameHistoryOf,
	unitDocFor,
	unitRole,
	unitSecurity,
	unitStatus,
	type NameEntry,
	type UnitDoc,
	type UnitRecord
} from './unit-record';

const UNITS_DESIGN_ID = '_design/units';

const databaseKinds = UNIT_KINDS.filter((kind) => kind.hasDatabase).map((kind) => kind.id);

const CreateUnitSchema = v.object({
	id: v.optional(
		v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị gồm 4–24 chữ thường hoặc số.'))
	),
	name: v.pipe(
		v.string('Tên đơn vị phải là chữ.'),
		v.transform((value) => value.normalize('NFC').replace(/\s+/g, ' ').trim()),
		v.minLength(2, 'Tên đơn vị quá ngắn.'),
		v.maxLength(200, 'Tên đơn vị quá dài (tối đa 200 ký tự).')
	),
	kind: v.picklist(databaseKinds, 'Loại đơn vị không hợp lệ.'),
	parentId: v.optional(
		v.pipe(v.string(), v.regex(UNIT_ID_PATTERN, 'Mã đơn vị cấp trên không hợp lệ.'))
	),
	createdBy: v.pipe(v.string(), v.minLength(1))
});

export type CreateUnitInput = v.InferInput<typeof CreateUnitSchema>;

export class ProvisionService {
	readonly names: DbNames;
	readonly #couch: CouchClient;
	readonly #now: () => Date;
	readonly #onWrite: (db: string) => void;

	constructor(options: {
		couch: CouchClient;
		names: DbNames;
		now?: () => Date;
		/** A unit database was written to (its `unit` document): recorded for the workers. */
		onWrite?: (db: string) => void;
	}) {
		this.#couch = options.couch;
		this.names = options.names;
		this.#now = options.now ?? (() => new Date());
		this.#onWrite = options.onWrite ?? (() => {});
	}

	/** The server's own databases and CouchDB's system databases, all admin-only. */
	async ensureSystemDatabases(): Promise<void> {
		const dbs = [
			'_users',
			'_replicator',
			this.names.directory,
			this.names.accounts,
			this.names.audit,
			this.names.dbUpdates,
			this.names.registry,
			this.names.declarations,
			this.names.files
		];
		for (const db of dbs) {
			if (!(await this.#couch.databaseExists(db))) await this.#couch.createDatabase(db);
			if (db === '_users') await this.#ensureUsersDbAdminOnly();
			else await this.#couch.putSecurity({ db, security: ADMIN_ONLY_SECURITY });
		}
		await this.#couch.putDesignDoc({
			db: this.names.directory,
			doc: {
				_id: UNITS_DESIGN_ID,
				language: 'javascript',
				views: {
					// A unit's direct subordinates, and everything beneath it (merges re-parent them).
					by_parent: {
						map: "function (doc) { if (doc.type === 'unit' && doc.parentId) emit(doc.parentId, null); }"
					},
					by_ancestor: {
						map: "function (doc) { if (doc.type === 'unit') { for (var i = 0; i < doc.ancestors.length; i++) emit(doc.ancestors[i], null); } }"
					}
				}
			}
		});
	}

	/**
	 * `_users` holds every account's password hash. The embedded store leaves it public until its
	 * `_security` is written; Apache CouchDB 3 keeps it admin-only by itself and refuses to have its
	 * `_security` written (403) unless `[couchdb] users_db_security_editable = true`. So: write only
	 * when it is not admin-only already, accept a refusal, and in every case check that a request
	 * without credentials cannot read it — refusing to start, with the fix in Vietnamese, if it can.
	 */
	async #ensureUsersDbAdminOnly(): Promise<void> {
		const current = await this.#couch.getSecurity('_users');
		const adminOnly = (group: { names?: string[]; roles?: string[] } | undefined) =>
			(group?.names ?? []).length === 0 &&
			(group?.roles ?? []).length > 0 &&
			(group?.roles ?? []).every((role) => role === '_admin');
		if (!adminOnly(current?.members)) {
			try {
				await this.#couch.putSecurity({ db: '_users', security: ADMIN_ONLY_SECURITY });
			} catch (error) {
				if (!(error instanceof CouchError && error.status === 403)) throw error;
			}
		}
		const probe = await this.#couch.request({
			path: '_users/_all_docs',
			query: { limit: 0 },
			auth: 'none'
		});
		if (probe.status === 401 || probe.status === 403) return;
		throw new Error(
			'Cơ sở dữ liệu _users của CouchDB (chứa mật khẩu đã băm của mọi tài khoản) đang cho người ' +
				'không đăng nhập đọc (GET /_users/_all_docs trả về ' +
				`${probe.status}), và CouchDB không cho máy chủ sửa quyền của nó. Hãy ghi _security của ` +
				'_users chỉ cho quản trị viên ({"members":{"roles":["_admin"]},"admins":{"roles":["_admin"]}}), ' +
				'hoặc đặt [couchdb] users_db_security_editable = true để máy chủ tự ghi, rồi khởi động lại.'
		);
	}

	async createUnit(input: CreateUnitInput): Promise<UnitRecord> {
		const parsed = v.safeParse(CreateUnitSchema, input);
		if (!parsed.success) {
			const issue = parsed.issues[0];
			throw new AppError({
				status: 400,
				error: 'invalid',
				reason: issue?.message ?? 'Thông tin đơn vị không hợp lệ.',
				field: issue?.path?.[0] ? String(issue.path[0].key) : undefined
			});
		}
		const { name, kind, createdBy } = parsed.output;
		const id = parsed.output.id ?? newUnitId();
		let ancestors: string[] = [];
		if (parsed.output.parentId) {
			const parent = await this.getUnit(parsed.output.parentId);
			if (!parent) {
				throw new AppError({
					status: 404,
					error: 'parent_not_found',
					reason: 'Không tìm thấy đơn vị cấp trên.',
					field: 'parentId'
				});
			}
			if (!canContain({ parent: parent.kind, child: kind })) {
				throw new AppError({
					status: 400,
					error: 'invalid_kind',
					reason: `${unitKindLabel(kind)} không thể trực thuộc ${unitKindLabel(parent.kind)}.`,
					field: 'kind'
				});
			}
			ancestors = [...parent.ancestors, parent.id];
		}
		if (await this.getUnit(id)) {
			throw new AppError({
				status: 409,
				error: 'unit_exists',
				reason: 'Mã đơn vị này đã được dùng.',
				field: 'id'
			});
		}

		const at = this.#now().toISOString();
		const record: UnitRecord = {
			_id: `unit:${id}`,
			type: 'unit',
			id,
			name,
			kind,
			parentId: parsed.output.parentId ?? null,
			ancestors,
			db: unitDbName(id),
			createdAt: at,
			createdBy,
			nameHistory: [{ name, from: at, by: createdBy }],
			status: 'active',
			designVersion: DESIGN_DOC_VERSION,
			updatedAt: at,
			updatedBy: createdBy
		};
		await this.ensureUnitDatabase(record);
		// The directory entry comes last: a unit is listed only once its database is complete.
		try {
			const { rev } = await this.#couch.putDoc({ db: this.names.directory, doc: record });
			return { ...record, _rev: rev };
		} catch (error) {
			if (error instanceof CouchError && error.status === 409) {
				throw new AppError({
					status: 409,
					error: 'unit_exists',
					reason: 'Mã đơn vị này đã được dùng.',
					field: 'id'
				});
			}
			throw error;
		}
	}

	/**
	 * Database, `_security`, design document and `unit` document of a unit, as its directory record
	 * says they should be; safe to repeat, and how every reorganisation step reaches the database.
	 * Each is compared by content and written only when it differs; true when anything was written.
	 */
	async ensureUnitDatabase(record: UnitRecord): Promise<boolean> {
		let changed = false;
		// Asked first: the embedded store logs a spurious conflict for every PUT of an existing database.
		if (!(await this.#couch.databaseExists(record.db))) {
			await this.#couch.createDatabase(record.db);
			changed = true;
		}
		const security = unitSecurity(record);
		const current = await this.#couch.getSecurity(record.db);
		if (!current || !sameJson(current, security)) {
			await this.#couch.putSecurity({ db: record.db, security });
			changed = true;
		}
		const design = await this.#couch.putDesignDoc({
			db: record.db,
			doc: buildDesignDoc(record.id, designMode(record))
		});
		if (design !== 'unchanged') changed = true;
		const wanted = unitDocFor(record);
		for (let attempt = 0; attempt < 3; attempt++) {
			const existing = await this.#couch.getDoc<UnitDoc>({ db: record.db, id: 'unit' });
			if (existing && sameUnitDoc(existing, wanted)) return changed;
			const res = await this.#couch.request({
				method: 'PUT',
				path: `${encodeURIComponent(record.db)}/unit`,
				body: existing?._rev ? { ...wanted, _rev: existing._rev } : wanted
			});
			if (res.status === 201 || res.status === 202) {
				this.#onWrite(record.db);
				return true;
			}
			if (res.status !== 409) throw new Error(`ensureUnitDatabase: CouchDB answered ${res.status}`);
		}
		throw new Error('ensureUnitDatabase: too many conflicts on the unit document');
	}

	/** Writes a directory record if nobody changed it meanwhile; a 409 throws CouchError. */
	async putUnit(record: UnitRecord): Promise<UnitRecord> {
		const { rev } = await this.#couch.putDoc({ db: this.names.directory, doc: record });
		return { ...record, _rev: rev };
	}

	/**
	 * Read, change, write a directory record, again on a conflict. `change` returns undefined when
	 * there is nothing to do (the record already says it), so a repeated step writes nothing.
	 */
	async updateUnit(
		id: string,
		change: (record: UnitRecord) => UnitRecord | undefined
	): Promise<UnitRecord> {
		for (let attempt = 0; attempt < 5; attempt++) {
			const record = await this.getUnit(id);
			if (!record) {
				throw new AppError({
					status: 404,
					error: 'unit_not_found',
					reason: 'Không tìm thấy đơn vị.'
				});
			}
			const next = change(record);
			if (!next) return record;
			try {
				return await this.putUnit({ ...next, _id: record._id, _rev: record._rev });
			} catch (error) {
				if (!(error instanceof CouchError) || error.status !== 409) throw error;
			}
		}
		throw new Error(`updateUnit ${id}: too many conflicts`);
	}

	/** Direct subordinate units. */
	async listChildren(id: string): Promise<UnitRecord[]> {
		return this.#byView('by_parent', id);
	}

	/** Every unit beneath this one, at any depth. */
	async listDescendants(id: string): Promise<UnitRecord[]> {
		return this.#byView('by_ancestor', id);
	}

	async #byView(view: string, key: string): Promise<UnitRecord[]> {
		const result = await this.#couch.json<{ rows: { doc?: UnitRecord }[] }>({
			path: `${encodeURIComponent(this.names.directory)}/${UNITS_DESIGN_ID}/_view/${view}`,
			query: { key: JSON.stringify(key), include_docs: true }
		});
		return result.rows.flatMap((row) => (row.doc ? [row.doc] : []));
	}

	/**
	 * Brings every unit database back to what its directory record says — access list (`_security`:
	 * the unit's role and its ancestors'), design document and `unit` document — whether an older
	 * server wrote them or somebody changed them since; compared by content, not by version number.
	 * Run at every start. A unit being reorganised (`lock`) is left to its job, which ends by the
	 * same ensureUnitDatabase with the record it is writing; each record is read again just before,
	 * so a reorganisation finished meanwhile is not undone.
	 */
	async restoreUnitDatabases(): Promise<{ checked: number; restored: number }> {
		let checked = 0;
		let restored = 0;
		for (const listed of await this.listUnits()) {
			const record = await this.getUnit(listed.id);
			if (!record || record.lock) continue;
			checked++;
			if (await this.ensureUnitDatabase(record)) restored++;
			if (record.designVersion !== DESIGN_DOC_VERSION) {
				await this.updateUnit(record.id, (current) =>
					current.designVersion === DESIGN_DOC_VERSION
						? undefined
						: { ...current, designVersion: DESIGN_DOC_VERSION }
				);
			}
		}
		return { checked, restored };
	}

	/** Unit databases whose design document is older than this server's: restored with the rest. */
	async upgradeDesignDocs(): Promise<number> {
		return (await this.restoreUnitDatabases()).restored;
	}

	async getUnit(id: string): Promise<UnitRecord | undefined> {
		if (!UNIT_ID_PATTERN.test(id)) return undefined;
		return this.#couch.getDoc<UnitRecord>({ db: this.names.directory, id: `unit:${id}` });
	}

	async listUnits(): Promise<UnitRecord[]> {
		const rows = await this.#couch.allDocs<UnitRecord>({
			db: this.names.directory,
			startkey: 'unit:',
			endkey: 'unit:\ufff0',
			includeDocs: true
		});
		return rows.flatMap((row) => (row.doc ? [row.doc] : []));
	}

	async hasUnits(): Promise<boolean> {
		const rows = await this.#couch.allDocs({
			db: this.names.directory,
			startkey: 'unit:',
			endkey: 'unit:\ufff0',
			limit: 1
		});
		return rows.length > 0;
	}

	/** Whether a unit of this kind may be the top of a deployment's tree. */
	static isKnownDatabaseKind(kind: string): boolean {
		return getUnitKind(kind)?.hasDatabase ?? false;
	}
}

function sameJson(a: unknown, b: unknown): boolean {
	return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sameUnitDoc(a: UnitDoc, b: UnitDoc): boolean {
	const strip = ({ _rev: _r, ...rest }: UnitDoc) => rest;
	return JSON.stringify(sortKeys(strip(a))) === JSON.stringify(sortKeys(strip(b)));
}

function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value as Record<string, unknown>)
				.filter(([, item]) => item !== undefined)
				.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
				.map(([key, item]) => [key, sortKeys(item)])
		);
	}
	return value;
}
