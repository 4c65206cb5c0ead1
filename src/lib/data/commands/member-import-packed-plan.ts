import type { MemberImportPlan } from '$lib/domain/spreadsheets/member-import-plan';
import type { ImportPreview, ImportRowPreview } from '$lib/domain/spreadsheets/member-import-types';
import { yieldToMain } from '$lib/data/sync/main-thread';

// An import's plan and preview as the page holds them while the write runs (docs/spreadsheets.md,
// "Writing"). A 5,000-row import held, besides the app's own ~5 MB, ~11 MB of preview rows and
// ~6 MB of planned documents as objects (measured in Chromium after a forced GC), on the heap that
// every garbage collection during the write works through. They are packed as UTF-8 JSON in byte
// arrays, whose bytes live outside the JavaScript heap: as JSON strings instead (two bytes a
// character, since the names have accents) they were ~38 MB on the heap, and the write had more and
// longer collections than with the objects (measured). Each chunk of documents is read back just
// before it is written, and the preview only if the write is cancelled or refused and the
// secretary goes back to it.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pack(value: unknown): Uint8Array {
	return encoder.encode(JSON.stringify(value));
}

function unpack<T>(bytes: Uint8Array): T {
	return JSON.parse(decoder.decode(bytes)) as T;
}

/** One member document and its history entries: always written in the same batch. */
export type PlannedGroup = (Record<string, unknown> & { _id: string; _rev?: string })[];

export interface PackedImportPlan {
	unitId: string;
	fileName: string;
	report: MemberImportPlan['report'];
	/** Each a packed array of PlannedGroup, in writing order. */
	chunks: Uint8Array[];
	/** The documents the import creates (no `_rev`), in writing order. */
	created: string[];
	/** The members it updates and the revision each was planned on. */
	updates: { id: string; rev: string }[];
	/** How many documents in all. */
	documents: number;
}

/** The groups of a plan: each member first, then its entries (members in the plan's order). */
function groupsOf(plan: Pick<MemberImportPlan, 'members' | 'entries'>): PlannedGroup[] {
	const entriesOf = new Map<string, PlannedGroup>();
	for (const entry of plan.entries) {
		const list = entriesOf.get(entry.memberId) ?? [];
		list.push(entry as unknown as PlannedGroup[number]);
		entriesOf.set(entry.memberId, list);
	}
	return plan.members.map((member) => [
		member as unknown as PlannedGroup[number],
		...(entriesOf.get(member._id) ?? [])
	]);
}

/** Starts an empty packed plan that slices are added to. */
export function emptyPackedPlan(
	plan: Pick<MemberImportPlan, 'unitId' | 'fileName' | 'report'>
): PackedImportPlan {
	return {
		unitId: plan.unitId,
		fileName: plan.fileName,
		report: {
			...plan.report,
			created: [],
			updated: [],
			unchanged: [],
			skipped: [],
			documents: 0
		},
		chunks: [],
		created: [],
		updates: [],
		documents: 0
	};
}

/** Adds a (slice's) plan to a packed plan: its documents as one more chunk, its report joined. */
export function addToPackedPlan(packed: PackedImportPlan, plan: MemberImportPlan): void {
	const groups = groupsOf(plan);
	let documents = 0;
	for (const group of groups) {
		for (const doc of group) {
			documents += 1;
			if (doc._rev === undefined) packed.created.push(doc._id);
			else packed.updates.push({ id: doc._id, rev: doc._rev });
		}
	}
	if (groups.length > 0) packed.chunks.push(pack(groups));
	packed.documents += documents;
	const a = packed.report;
	const b = plan.report;
	packed.report = {
		...a,
		created: a.created.concat(b.created),
		updated: a.updated.concat(b.updated),
		unchanged: a.unchanged.concat(b.unchanged),
		skipped: a.skipped.concat(b.skipped),
		documents: a.documents + b.documents
	};
}

/** A whole plan packed (the writer's callers that planned in one go: tests, small imports). */
export function packImportPlan(plan: MemberImportPlan): PackedImportPlan {
	const packed = emptyPackedPlan(plan);
	addToPackedPlan(packed, plan);
	return packed;
}

export function isPackedImportPlan(
	plan: MemberImportPlan | PackedImportPlan
): plan is PackedImportPlan {
	return 'chunks' in plan;
}

/** The groups of one chunk (parsed when its turn to be written comes). */
export function unpackChunk(chunk: Uint8Array): PlannedGroup[] {
	return unpack<PlannedGroup[]>(chunk);
}

/** A packed plan as objects again (tests compare it with the planner's own). */
export function unpackImportPlan(packed: PackedImportPlan): MemberImportPlan {
	const members: MemberImportPlan['members'] = [];
	const entries: MemberImportPlan['entries'] = [];
	for (const chunk of packed.chunks) {
		for (const [member, ...rest] of unpackChunk(chunk)) {
			members.push(member as unknown as MemberImportPlan['members'][number]);
			entries.push(...(rest as unknown as MemberImportPlan['entries']));
		}
	}
	return {
		unitId: packed.unitId,
		fileName: packed.fileName,
		members,
		entries,
		report: packed.report
	};
}

/** Documents per packed slice (packDocs): a few ms of JSON each at 4× CPU. */
const DOCS_SLICE = 250;

/** Documents packed a slice at a time, yielding between slices (the before images of an update). */
export async function packDocs(docs: readonly object[]): Promise<Uint8Array[]> {
	const packed: Uint8Array[] = [];
	for (let start = 0; start < docs.length; start += DOCS_SLICE) {
		if (start > 0) await yieldToMain();
		packed.push(pack(docs.slice(start, start + DOCS_SLICE)));
	}
	return packed;
}

export async function unpackDocs(packed: readonly Uint8Array[]): Promise<object[]> {
	const docs: object[] = [];
	for (const [i, bytes] of packed.entries()) {
		if (i > 0) await yieldToMain();
		for (const doc of unpack<object[]>(bytes)) docs.push(doc);
	}
	return docs;
}

/** A preview put away while the write runs: its rows packed, its head as it was. */
export interface ShelvedPreview {
	head: Omit<ImportPreview, 'rows'>;
	rows: Uint8Array[];
}

/** Rows stringified (or parsed) between two yields: a few ms each at 4× CPU. */
const SHELF_SLICE = 250;

export async function shelvePreview(preview: ImportPreview): Promise<ShelvedPreview> {
	const { rows, ...head } = preview;
	const packed: Uint8Array[] = [];
	for (let start = 0; start < rows.length; start += SHELF_SLICE) {
		packed.push(pack(rows.slice(start, start + SHELF_SLICE)));
		await yieldToMain();
	}
	return { head, rows: packed };
}

export async function unshelvePreview(shelved: ShelvedPreview): Promise<ImportPreview> {
	const rows: ImportRowPreview[] = [];
	for (const chunk of shelved.rows) {
		for (const row of unpack<ImportRowPreview[]>(chunk)) rows.push(row);
		await yieldToMain();
	}
	return { ...shelved.head, rows };
}
