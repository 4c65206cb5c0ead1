import { randomBytes } from 'node:crypto';

// The unit ids and databases are the organisation's vocabulary, shared with the device.
export {
	isUnitDb,
	UNIT_DB_PATTERN,
	UNIT_ID_PATTERN,
	unitDbName,
	unitIdOfDb
} from '../../src/lib/domain/org/ids';

// Names of the databases and ids the server creates (docs/architecture.md, docs/decisions/0003-ids.md).

export interface DbNames {
	directory: string;
	accounts: string;
	/** Append-only record of every change made through the API and the workers. */
	audit: string;
	/** One document per unit database written to, followed by the workers (db-updates.ts). */
	dbUpdates: string;
	/** The national citizen-id registry: `cid:<citizenId>` claims (registry-service.ts). */
	registry: string;
	/** The public declaration API's receipt index: `receipt:<sha256>` → unit and declaration. */
	declarations: string;
	/** Mail attachments (ADR 0021): `file:<sha256>` with its readers, the bytes as an attachment. */
	files: string;
}

export function dbNames(prefix = ''): DbNames {
	return {
		directory: `${prefix}doanvu_directory`,
		accounts: `${prefix}doanvu_accounts`,
		audit: `${prefix}doanvu_audit`,
		dbUpdates: `${prefix}doanvu_dbupdates`,
		registry: `${prefix}doanvu_registry`,
		declarations: `${prefix}doanvu_declarations`,
		files: `${prefix}doanvu_files`
	};
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random unit id: 12 characters of [a-z0-9] (62 bits), never derived from the unit's name. */
export function newUnitId(): string {
	const bytes = randomBytes(12);
	let id = '';
	// 256 % 36 leaves a tiny bias; irrelevant for an identifier that only has to be unique.
	for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
	return id;
}
