import { todayIso } from '$lib/domain/dates';
import {
	refreshImportPreview,
	type ImportContext
} from '$lib/domain/spreadsheets/member-import-plan';
import type {
	ColumnMapping,
	ExistingMember,
	ImportPreview,
	ImportRowPreview
} from '$lib/domain/spreadsheets/member-import-types';
import { askRegistryClashes } from '$lib/data/online/registry-clashes';
import {
	importBranches,
	importExistingMembers,
	membersForImport
} from '$lib/data/queries/member-import';
import { unitIdOfDb } from '$lib/data/ids';
import { localDb } from '$lib/data/store/pouch';
import { takeBackInterrupted } from '$lib/data/sync/push-hold';
import { yieldToMain } from '$lib/data/sync/main-thread';
import {
	jobMessages,
	type ImportJob,
	type ImportJobMessage,
	type PreviewHead
} from './member-import-jobs';
import type { PackedGrid } from './member-import-packed';

// The screens' way into the import's Web Worker (member-import-worker.ts): reading a file and
// classifying its rows off the main thread, with progress and cancel (the worker is terminated).
// Where there is no Worker (Node tests) the same jobs run in the page.

export interface ImportProgress {
	/** `registry`: the file's citizen ids asked of the national registry (online only). */
	stage: 'reading' | 'checking' | 'registry';
	done: number;
	/** 0 while reading (the number of rows is known only once read). */
	total: number;
}

function abortError(): DOMException {
	return new DOMException('Đã hủy.', 'AbortError');
}

/** What a job sends back: its result, and the preview rows that came before it. */
interface JobAnswer<T> {
	result: T;
	rows: ImportRowPreview[];
}

async function runJob<T>(options: {
	job: ImportJob;
	/** Preview rows the job takes, sent before it a page at a time (member-import-jobs.ts). */
	rows?: readonly ImportRowPreview[];
	/** The unit's members the job compares with, sent before it a page at a time too. */
	existing?: readonly ExistingMember[];
	transfer?: Transferable[];
	signal?: AbortSignal;
	onProgress?: (progress: ImportProgress) => void;
}): Promise<JobAnswer<T>> {
	const { job, signal } = options;
	if (signal?.aborted) throw abortError();
	return new Promise<JobAnswer<T>>((resolve, reject) => {
		// Appended as each page arrives: each message is a task of its own for the page.
		const rows: ImportRowPreview[] = [];
		const onMessage = (message: ImportJobMessage) => {
			if (message.kind === 'progress') {
				options.onProgress?.({ stage: message.stage, done: message.done, total: message.total });
			} else if (message.kind === 'rows') {
				for (const row of message.rows) rows.push(row);
			} else if (message.kind === 'done') {
				finish();
				resolve({ result: message.result as T, rows });
			} else {
				finish();
				reject(new Error(message.message));
			}
		};
		let worker: Worker | null = null;
		const onAbort = () => {
			worker?.terminate();
			finish();
			reject(abortError());
		};
		const finish = () => {
			signal?.removeEventListener('abort', onAbort);
			worker?.terminate();
		};
		signal?.addEventListener('abort', onAbort, { once: true });
		if (typeof Worker === 'undefined') {
			void import('./member-import-jobs').then(({ runImportJob }) =>
				runImportJob({
					job,
					rows: options.rows ? [...options.rows] : undefined,
					existing: options.existing,
					post: (message) => {
						if (!signal?.aborted) onMessage(message);
					}
				})
			);
			return;
		}
		const started = new Worker(new URL('./member-import-worker.ts', import.meta.url), {
			type: 'module'
		});
		worker = started;
		started.onmessage = (event: MessageEvent<ImportJobMessage>) => onMessage(event.data);
		started.onerror = (event) => {
			finish();
			reject(new Error(`Không đọc được tệp: ${event.message || 'lỗi không rõ'}.`));
		};
		void (async () => {
			// Each postMessage clones its rows or members in the calling task: a page at a time, the
			// screen getting the thread between pages; the job last.
			for (const message of jobMessages(options)) {
				if (signal?.aborted) return;
				if (message === job) started.postMessage(job, options.transfer ?? []);
				else {
					started.postMessage(message);
					await yieldToMain();
				}
			}
		})();
	});
}

/**
 * Reads a file in the worker: the sheets' outlines to map, their rows packed (never unpacked in
 * the page). Rejects with a Vietnamese message, or an AbortError on cancel.
 */
export async function readSheetInWorker(options: {
	data: ArrayBuffer;
	fileName: string;
	signal?: AbortSignal;
	onProgress?: (progress: ImportProgress) => void;
}): Promise<PackedGrid> {
	const answer = await runJob<PackedGrid>({
		job: { kind: 'read', data: options.data, fileName: options.fileName },
		transfer: [options.data],
		signal: options.signal,
		onProgress: options.onProgress
	});
	return answer.result;
}

/** Classifies the rows of one sheet in the worker. */
export async function classifyInWorker(
	options: ImportContext & {
		grid: PackedGrid;
		sheetIndex: number;
		mapping: ColumnMapping;
		signal?: AbortSignal;
		onProgress?: (progress: ImportProgress) => void;
	}
): Promise<ImportPreview> {
	const { grid, sheetIndex, mapping, signal, onProgress, existing, ...context } = options;
	const answer = await runJob<PreviewHead>({
		job: { kind: 'classify', context, grid, sheetIndex, mapping },
		existing,
		signal,
		onProgress
	});
	return { ...answer.result, rows: answer.rows };
}

/**
 * The whole preview for a unit's database: the unit's members and branches from the read model,
 * the rows classified in the worker, clashes asked of the registry when online (every citizen id of
 * the file that is not one of the unit's own members', in slices with progress), and the documents
 * of the members the update rows name (so the preview lists what each update changes).
 * Returns the context too: revalidateImportRow and planMemberImport take it.
 */
export async function previewMemberImport(options: {
	db: string;
	/** The sheet as readSheetInWorker gives it (or packGrid, where a test read it itself). */
	grid: PackedGrid;
	sheetIndex: number;
	mapping: ColumnMapping;
	signal?: AbortSignal;
	onProgress?: (progress: ImportProgress) => void;
	/** The server's origin (tests in Node); the page's own in the browser. */
	origin?: string;
	/** Extra headers for the registry (a test's device cookie, where no browser keeps one). */
	headers?: Record<string, string>;
}): Promise<{ preview: ImportPreview; context: ImportContext }> {
	// An import the app was closed in the middle of is taken back before the unit is read again.
	await takeBackInterrupted({ db: options.db, local: localDb(options.db) });
	const [existing, branches] = await Promise.all([
		importExistingMembers({ db: options.db }),
		importBranches({ db: options.db })
	]);
	const base: ImportContext = {
		unitId: unitIdOfDb(options.db),
		existing,
		branches,
		today: todayIso()
	};
	const first = await classifyInWorker({ ...base, ...options });
	const updateIds = first.rows.flatMap((row) => (row.existingId ? [row.existingId] : []));
	// Every id of the file but the unit's own members' (the registry names only other units): new
	// rows, updates that give a member her id, and invalid rows a fix in the preview may make new.
	const own = new Set(existing.flatMap((member) => (member.citizenId ? [member.citizenId] : [])));
	const askIds = first.rows.flatMap((row) =>
		typeof row.fields.citizenId === 'string' && !own.has(row.fields.citizenId)
			? [row.fields.citizenId]
			: []
	);
	const [docs, registry] = await Promise.all([
		membersForImport({ db: options.db, ids: updateIds }),
		askRegistryClashes({
			citizenIds: askIds,
			origin: options.origin,
			headers: options.headers,
			signal: options.signal,
			onProgress: (done, total) => options.onProgress?.({ stage: 'registry', done, total })
		})
	]);
	if (options.signal?.aborted) throw abortError();
	const context: ImportContext = {
		...base,
		existing: existing.map((member) => {
			const doc = docs.get(member.id);
			return doc ? { ...member, doc } : member;
		}),
		...(registry.checked ? { clashes: registry.clashes } : {})
	};
	if (docs.size === 0 && !registry.checked) return { preview: first, context };
	// Checked and nothing learnt (the usual file): the rows stand as classified.
	if (docs.size === 0 && registry.clashes.length === 0) {
		return { preview: { ...first, clashesChecked: true }, context };
	}
	// With no update documents to judge again, only duplicates and clashes are decided again: one
	// pass over the rows, far cheaper in the page than the preview's round trip to a worker (5,000
	// rows cloned there and back, in one message each way, were one 440 ms task in the bench). With
	// updates the worker judges again, the rows going there and back a page per message.
	if (docs.size === 0) return { preview: refreshImportPreview({ ...context, preview: first }), context };
	const { rows, ...head } = first;
	const { existing: members, ...jobContext } = context;
	const answer = await runJob<PreviewHead>({
		job: { kind: 'refresh', context: jobContext, preview: head },
		rows,
		existing: members,
		signal: options.signal
	});
	return { preview: { ...answer.result, rows: answer.rows }, context };
}
