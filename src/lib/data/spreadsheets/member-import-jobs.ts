import {
	classifyImportRows,
	refreshImportPreview,
	type ImportContext
} from '$lib/domain/spreadsheets/member-import-plan';
import type {
	ColumnMapping,
	ExistingMember,
	ImportPreview,
	ImportRowPreview
} from '$lib/domain/spreadsheets/member-import-types';
import { packGrid, unpackSheet, type PackedGrid } from './member-import-packed';
import { readSheetFile, SheetReadError } from './member-import-reader';

// The work the import's Web Worker does (member-import-worker.ts), as plain functions so the
// client can run the same code in the page where there is no Worker (tests in Node).
//
// What crosses between the worker and the page is kept small per message, because the page
// pays for each message's structured clone in one main-thread task (docs/decisions/0023): the
// read sheet goes out packed (member-import-packed.ts), and a preview's rows go in pages of
// ROWS_PER_MESSAGE, each message its own task for the page, with the preview's rest after them.

/** A preview without its rows: they travel in `rows` messages before it. */
export type PreviewHead = Omit<ImportPreview, 'rows'>;

/**
 * A job's context without the unit's members: they travel in `existing` messages before it (on
 * the update path each carries its whole document: 5,000 of them in one message were one long
 * structured clone on the page).
 */
export type JobContext = Omit<ImportContext, 'existing'>;

export type ImportJob =
	| { kind: 'read'; data: ArrayBuffer; fileName: string }
	| {
			kind: 'classify';
			context: JobContext;
			grid: PackedGrid;
			sheetIndex: number;
			mapping: ColumnMapping;
	  }
	/** The preview's rows were sent before the job, in `rows` messages. */
	| { kind: 'refresh'; context: JobContext; preview: PreviewHead };

/** A page of a preview's rows, either way. */
export interface RowsMessage {
	kind: 'rows';
	rows: ImportRowPreview[];
}

/** A page of the unit's members, to the worker before a job. */
export interface ExistingMessage {
	kind: 'existing';
	members: ExistingMember[];
}

/** Everything the page posts to the worker. */
export type ToWorkerMessage = ImportJob | RowsMessage | ExistingMessage;

export type ImportJobMessage =
	| { kind: 'progress'; stage: 'reading' | 'checking'; done: number; total: number }
	| RowsMessage
	| { kind: 'done'; result: PackedGrid | PreviewHead }
	| { kind: 'failed'; message: string };

/**
 * Rows per message: 250 preview rows are ~5 % of a 5,000-row file, a clone of a few ms on a
 * phone 4× slower than a laptop; fewer messages would each take longer, more would add up.
 */
export const ROWS_PER_MESSAGE = 250;

/**
 * What the page posts for a job: its preview rows and the unit's members a page per message
 * (each message's clone is a task of its own for the page), then the job.
 */
export function* jobMessages(options: {
	job: ImportJob;
	rows?: readonly ImportRowPreview[];
	existing?: readonly ExistingMember[];
}): Generator<ToWorkerMessage> {
	const rows = options.rows ?? [];
	for (let start = 0; start < rows.length; start += ROWS_PER_MESSAGE) {
		yield { kind: 'rows', rows: rows.slice(start, start + ROWS_PER_MESSAGE) };
	}
	const existing = options.existing ?? [];
	for (let start = 0; start < existing.length; start += ROWS_PER_MESSAGE) {
		yield { kind: 'existing', members: existing.slice(start, start + ROWS_PER_MESSAGE) };
	}
	yield options.job;
}

/** Posts a preview: its rows a page at a time, then the rest. */
function postPreview(preview: ImportPreview, post: (message: ImportJobMessage) => void): void {
	const { rows, ...head } = preview;
	for (let start = 0; start < rows.length; start += ROWS_PER_MESSAGE) {
		post({ kind: 'rows', rows: rows.slice(start, start + ROWS_PER_MESSAGE) });
	}
	post({ kind: 'done', result: head });
}

export async function runImportJob(options: {
	job: ImportJob;
	/** A refresh job's preview rows (received before the job). */
	rows?: ImportRowPreview[];
	/** The unit's members (received before the job). */
	existing?: readonly ExistingMember[];
	post: (message: ImportJobMessage) => void;
}): Promise<void> {
	const { job, post } = options;
	const existing = options.existing ?? [];
	try {
		if (job.kind === 'read') {
			const grid = await readSheetFile({
				data: job.data,
				fileName: job.fileName,
				onProgress: (done) => post({ kind: 'progress', stage: 'reading', done, total: 0 })
			});
			post({ kind: 'done', result: packGrid(grid) });
			return;
		}
		if (job.kind === 'classify') {
			const sheet = unpackSheet({ grid: job.grid, index: job.sheetIndex });
			if (sheet === undefined) throw new SheetReadError('Không có trang tính này trong tệp.');
			const preview = classifyImportRows({
				...job.context,
				existing,
				sheet,
				fileName: job.grid.fileName,
				mapping: job.mapping,
				onProgress: (done, total) => post({ kind: 'progress', stage: 'checking', done, total })
			});
			postPreview(preview, post);
			return;
		}
		const preview = { ...job.preview, rows: options.rows ?? [] };
		postPreview(refreshImportPreview({ ...job.context, existing, preview }), post);
	} catch (error) {
		post({
			kind: 'failed',
			message:
				error instanceof SheetReadError
					? error.message
					: `Không đọc được tệp: ${(error as Error).message || 'lỗi không rõ'}.`
		});
	}
}
