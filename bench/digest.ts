import { createHash } from 'node:crypto';

// "After every benchmark sync, the client's documents and revisions equal the server's": both sides
// are reduced to, per document id, the winning revision, whether it is deleted, every leaf revision
// (conflicts and deleted leaves included) and a hash of the winning body.

export interface DbDigest {
	docs: Record<string, { rev: string; deleted: boolean; leaves: string[]; hash: string }>;
}

export function stableStringify(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(
				([k, v]) => v !== undefined && k !== '_rev' && k !== '_conflicts' && k !== '_revisions'
			)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

export function bodyHash(doc: unknown): string {
	return createHash('sha1').update(stableStringify(doc)).digest('hex');
}

export function compareRevs(a: string, b: string): number {
	const pa = parseInt(a, 10);
	const pb = parseInt(b, 10);
	const ha = a.slice(a.indexOf('-') + 1);
	const hb = b.slice(b.indexOf('-') + 1);
	return pa !== pb ? pa - pb : ha < hb ? -1 : ha > hb ? 1 : 0;
}

/** Builds a digest from a `_changes?style=all_docs` listing and `_all_docs?include_docs=true` rows. */
export function buildDigest(options: {
	changes: { id: string; changes: { rev: string }[]; deleted?: boolean }[];
	rows: { id: string; value: { rev: string }; doc?: unknown }[];
}): DbDigest {
	const docs: DbDigest['docs'] = {};
	for (const row of options.changes) {
		docs[row.id] = {
			rev: '',
			deleted: !!row.deleted,
			leaves: row.changes.map((c) => c.rev).sort(),
			hash: ''
		};
	}
	for (const row of options.rows) {
		const entry = docs[row.id];
		if (!entry) continue;
		entry.rev = row.value.rev;
		entry.hash = bodyHash(row.doc);
	}
	for (const entry of Object.values(docs)) {
		if (entry.deleted && !entry.rev) entry.rev = [...entry.leaves].sort(compareRevs).at(-1) ?? '';
	}
	return { docs };
}

/** The digest of a local PouchDB. */
export async function localDigest(db: PouchDB.Database): Promise<DbDigest> {
	const changes = await db.changes({ since: 0, style: 'all_docs' });
	const all = await db.allDocs({ include_docs: true });
	return buildDigest({
		changes: changes.results.map((r) => ({ id: r.id, changes: r.changes, deleted: r.deleted })),
		rows: all.rows.map((r) => ({ id: r.id, value: r.value, doc: r.doc }))
	});
}

/** Differences, at most `limit` of them described; empty when equal. */
export function diffDigests(options: {
	server: DbDigest;
	device: DbDigest;
	limit?: number;
}): string[] {
	const limit = options.limit ?? 5;
	const out: string[] = [];
	let count = 0;
	const note = (text: string) => {
		count++;
		if (out.length < limit) out.push(text);
	};
	for (const [id, s] of Object.entries(options.server.docs)) {
		const d = options.device.docs[id];
		if (!d) note(`${id}: missing on the device`);
		else if (s.rev !== d.rev)
			note(`${id}: winning rev ${d.rev} on the device, ${s.rev} on the server`);
		else if (s.deleted !== d.deleted)
			note(`${id}: deleted ${d.deleted} on the device, ${s.deleted} on the server`);
		else if (s.leaves.join() !== d.leaves.join())
			note(`${id}: leaves [${d.leaves}] on the device, [${s.leaves}] on the server`);
		else if (!s.deleted && s.hash !== d.hash) note(`${id}: body differs`);
	}
	for (const id of Object.keys(options.device.docs)) {
		if (!options.server.docs[id]) note(`${id}: on the device only`);
	}
	if (count > out.length) out.push(`… ${count - out.length} more`);
	return out;
}
