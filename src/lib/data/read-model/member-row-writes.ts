import Dexie, { type DBCore, type DBCoreMutateRequest, type Middleware } from 'dexie';
import type { MemberRow } from '$lib/data/store/device-db';

// Who keeps something derived from the read model's member rows in memory (the search index) must
// hear of every write to them, whoever makes it. Writes made in this page are seen as they are
// made, by a DBCore middleware, so they name every row even in a batch of 500. Writes made by
// other tabs arrive only after they commit, as Dexie's cross-tab `storagemutated` notices, which
// name the rows of small writes and only a key range for larger ones.

/**
 * Rows that may have changed, or `all` when which ones is unknown (a cleared table, another tab's
 * batch). With `rows`, this tab's write says what each row becomes (undefined: deleted), so a
 * listener need not read them back; without, they are to be read again (another tab's write, or a
 * write of this tab that was rolled back).
 */
export type MemberRowWrite = { ids: string[]; rows?: (MemberRow | undefined)[] } | { all: true };

type Listener = (write: MemberRowWrite) => void;

const listeners = new Set<Listener>();
/**
 * The change sets of this page's own transactions (Dexie fires `storagemutated` with the very
 * object on commit): their member writes were told already, row by row.
 */
const ownChanges = new WeakSet<object>();
const watchedDatabases = new Set<string>();

/** Calls `listener` for every write to the member rows; returns the function that stops it. */
export function onMemberRowWrites(listener: Listener): () => void {
	listeners.add(listener);
	return () => listeners.delete(listener);
}

function tell(write: MemberRowWrite): void {
	for (const listener of listeners) listener(write);
}

function describe(req: DBCoreMutateRequest, extractKey: (value: unknown) => unknown): MemberRowWrite {
	switch (req.type) {
		case 'add':
		case 'put':
			return {
				ids: (req.keys ?? req.values.map(extractKey)).map(String),
				rows: req.values as MemberRow[]
			};
		case 'delete':
			return { ids: req.keys.map(String), rows: req.keys.map(() => undefined) };
		default:
			return { all: true };
	}
}

interface RangeNode {
	from?: unknown;
	to?: unknown;
	l?: RangeNode | null;
	r?: RangeNode | null;
}

/** The keys of a Dexie range set, or null when it holds a range rather than single keys. */
function singleKeys(node: RangeNode | null | undefined, into: string[]): string[] | null {
	if (!node || !('from' in node)) return into;
	if (typeof node.from !== 'string' || node.from !== node.to) return null;
	if (singleKeys(node.l, into) === null) return null;
	into.push(node.from);
	return singleKeys(node.r, into);
}

function watchOtherTabs(dbName: string): void {
	if (watchedDatabases.has(dbName)) return;
	watchedDatabases.add(dbName);
	Dexie.on('storagemutated', (parts) => {
		if (ownChanges.has(parts)) return;
		if ('all' in parts) return tell({ all: true });
		const rows = parts[`idb://${dbName}/members/`] as RangeNode | undefined;
		if (!rows) return;
		const ids = singleKeys(rows, []);
		tell(ids ? { ids } : { all: true });
	});
}

/** Installed on the read model before it opens (store/device-db.ts). */
export const memberRowWritesMiddleware: Middleware<DBCore> = {
	stack: 'dbcore',
	name: 'member-row-writes',
	create(down) {
		watchOtherTabs(down.schema.name);
		return {
			...down,
			table(name) {
				const table = down.table(name);
				if (name !== 'members') return table;
				const extractKey = table.schema.primaryKey.extractKey ?? ((value: unknown) => value);
				return {
					...table,
					mutate(req) {
						// Told before the write commits: a search that re-reads these rows now opens its
						// transaction after this one, so IndexedDB lets it see the write (or, if this one
						// aborts, the rows as they stay).
						const write = describe(req, extractKey);
						tell(write);
						// Rolled back (a full phone): what was told did not happen; the rows are read again.
						const trans = req.trans as unknown as Partial<EventTarget>;
						if ('ids' in write && typeof trans.addEventListener === 'function') {
							trans.addEventListener('abort', () => tell({ ids: write.ids }));
						}
						return table.mutate(req).then((res) => {
							const parts = (req.trans as { mutatedParts?: object }).mutatedParts;
							if (parts) ownChanges.add(parts);
							return res;
						});
					}
				};
			}
		};
	}
};
