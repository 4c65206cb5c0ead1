import * as v from 'valibot';
import {
	canContain,
	getUnitKind,
	UNIT_KINDS,
	unitKindLabel,
	type UnitKindId
} from '../src/lib/domain/unit-kinds';
import { AppError } from './app-error';
import { CouchError, type CouchClient, type SecurityObject } from './couch-client';
import { newUnitId, UNIT_ID_PATTERN, unitDbName, type DbNames } from './db-names';
import { buildDesignDoc } from './design-doc';

// Creates what the server owns in CouchDB: the system databases, and for each unit its directory
// entry, its database (with `_security` and the design document) and the `unit` document inside it.
// Every step is idempotent, so a crash half-way is repaired by running the same call again.

/** A unit's entry in the admin-only directory database (`unit:<id>`). */
export interface UnitRecord {
	_id: string;
	_rev?: string;
	type: 'unit';
	id: string;
	name: string;
	kind: UnitKindId;
	parentId: string | null;
	/** From the top of the tree down to the parent. */
	ancestors: string[];
	db: string;
	createdAt: string;
	createdBy: string;
	/** Every name the unit has had, oldest first; old records keep showing the old name. */
	nameHistory: { name: string; since: string }[];
}

/** The `unit` document inside the unit's own database (written by the server only). */
export interface UnitDoc {
	_id: 'unit';
	_rev?: string;
	type: 'unit';
	v: 1;
	unitId: string;
	name: string;
	kind: UnitKindId;
	parentId: string | null;
	ancestors: string[];
	createdAt: string;
	createdBy: string;
	updatedAt: string;
	updatedBy: string;
}

/** Only server admins: the embedded store treats a database without `_security` as public. */
export const ADMIN_ONLY_SECURITY: SecurityObject = {
	admins: { names: [], roles: ['_admin'] },
	members: { names: [], roles: ['_admin'] }
};

export function unitRole(unitId: string): string {
	return `unit:${unitId}`;
}

export function unitSecurity(record: Pick<UnitRecord, 'id' | 'ancestors'>): SecurityObject {
	return {
		admins: { names: [], roles: [] },
		members: { names: [], roles: [record.id, ...record.ancestors].map(unitRole) }
	};
}

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

	constructor(options: { couch: CouchClient; names: DbNames; now?: () => Date }) {
		this.#couch = options.couch;
		this.names = options.names;
		this.#now = options.now ?? (() => new Date());
	}

	/** The server's own databases and CouchDB's system databases, all admin-only. */
	async ensureSystemDatabases(): Promise<void> {
		for (const db of ['_users', '_replicator', this.names.directory, this.names.accounts]) {
			await this.#couch.createDatabase(db);
			await this.#couch.putSecurity({ db, security: ADMIN_ONLY_SECURITY });
		}
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
			nameHistory: [{ name, since: at }]
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

	/** Database, `_security`, design document and `unit` document of a unit; safe to repeat. */
	async ensureUnitDatabase(record: UnitRecord): Promise<void> {
		await this.#couch.createDatabase(record.db);
		await this.#couch.putSecurity({ db: record.db, security: unitSecurity(record) });
		await this.#couch.putDesignDoc({ db: record.db, doc: buildDesignDoc(record.id) });
		const existing = await this.#couch.getDoc<UnitDoc>({ db: record.db, id: 'unit' });
		if (!existing) {
			const unitDoc: UnitDoc = {
				_id: 'unit',
				type: 'unit',
				v: 1,
				unitId: record.id,
				name: record.name,
				kind: record.kind,
				parentId: record.parentId,
				ancestors: record.ancestors,
				createdAt: record.createdAt,
				createdBy: record.createdBy,
				updatedAt: record.createdAt,
				updatedBy: record.createdBy
			};
			await this.#couch.putDoc({ db: record.db, doc: unitDoc });
		}
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
