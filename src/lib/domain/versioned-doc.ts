import * as v from 'valibot';

// Loading a stored document whose shape has versions (`v`): members and history entries. Documents
// written by an older app are brought up to date step by step; one written by a newer app is refused
// with a Vietnamese message asking for an update, never guessed at (docs/design.md §2).

export type RawDoc = Record<string, unknown>;

/** UPGRADES[n] turns a version-n document into a version-(n + 1) one. */
export type Upgrades = Readonly<Record<number, (doc: RawDoc) => RawDoc>>;

/** What a loader throws: the schema's own error class, with the document's id and the issues. */
export type DocErrorOf = (options: {
	message: string;
	docId?: string;
	issues?: readonly string[];
}) => Error;

// CouchDB and PouchDB add these on request; they are not part of the document's shape.
const COUCH_META_FIELDS = new Set([
	'_conflicts',
	'_deleted_conflicts',
	'_attachments',
	'_revisions',
	'_revs_info',
	'_local_seq'
]);

/**
 * A stored document of any known version of `type` as the current shape, or the error `fail`
 * makes: not an object, another type, no valid version, a version this app does not know (written
 * by a newer app), no step from an old one, or a document that breaks the schema.
 */
export function upgradeVersionedDoc<TSchema extends v.GenericSchema>(options: {
	doc: unknown;
	type: string;
	version: number;
	upgrades: Upgrades;
	schema: TSchema;
	/** How the messages name such a document ("Hồ sơ đoàn viên", "Mục lịch sử"). */
	noun: string;
	/** Whether a document of another type is told which type was expected. */
	namesExpectedType?: boolean;
	fail: DocErrorOf;
}): v.InferOutput<TSchema> {
	const { doc, noun, version, fail } = options;
	if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
		throw fail({ message: `${noun} không đọc được: không phải một đối tượng.` });
	}
	let current: RawDoc = Object.fromEntries(
		Object.entries(doc).filter(([key]) => !COUCH_META_FIELDS.has(key))
	);
	const docId = typeof current._id === 'string' ? current._id : undefined;
	const name = docId ? `${noun} ${docId}` : noun;
	if (current.type !== options.type) {
		throw fail({
			message:
				`${name} không đọc được: loại tài liệu là "${String(current.type)}"` +
				(options.namesExpectedType ? `, không phải "${options.type}".` : '.'),
			docId
		});
	}
	const stored = current.v;
	if (typeof stored !== 'number' || !Number.isInteger(stored) || stored < 1) {
		throw fail({ message: `${name} không đọc được: thiếu số phiên bản (v) hợp lệ.`, docId });
	}
	if (stored > version) {
		throw fail({
			message:
				`${name} được ghi bằng phiên bản ứng dụng mới hơn (dạng ${stored}, máy này chỉ đọc ` +
				`đến dạng ${version}). Hãy cập nhật ứng dụng.`,
			docId
		});
	}
	for (let from = stored; from < version; from++) {
		const upgrade = options.upgrades[from];
		if (upgrade === undefined) {
			throw fail({ message: `${name} không đọc được: không có cách nâng dạng ${from}.`, docId });
		}
		current = upgrade(current);
	}
	const result = v.safeParse(options.schema, current);
	if (!result.success) {
		const issues = result.issues.map((issue) => {
			const path = v.getDotPath(issue);
			return path ? `${path}: ${issue.message}` : issue.message;
		});
		throw fail({ message: `${name} không hợp lệ: ${issues.join('; ')}`, docId, issues });
	}
	return result.output;
}
