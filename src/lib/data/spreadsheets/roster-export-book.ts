import { loadExcel } from './excel-module';
import {
	EXPORT_CHUNK,
	putRow,
	startSheet,
	yieldToEventLoop,
	type ExportCell,
	type ExportColumn
} from './roster-export-sheet';

// A workbook as plain data (sheets of titled, headed rows) and the one place it becomes .xlsx bytes.
// exceljs writes a 16,000-member roster in seconds of one uninterrupted task (measured: ~8 s for
// 320,000 cells on the test machine), which would freeze the screen: in the browser the bytes are
// made in a worker (roster-export-worker.ts) while the page stays responsive and can cancel; where
// there is no worker (Node: the tests) they are made here.

export interface SheetSpec {
	name: string;
	title: string;
	columns: readonly ExportColumn[];
	rows: readonly (readonly ExportCell[])[];
}

export interface WorkbookSpec {
	sheets: readonly SheetSpec[];
}

/** The bytes, made on this thread (a worker's, or the tests'). */
export async function buildWorkbook(spec: WorkbookSpec): Promise<ArrayBuffer> {
	const { Workbook } = await loadExcel();
	const workbook = new Workbook();
	workbook.creator = 'Đoàn vụ';
	for (const sheetSpec of spec.sheets) {
		const sheet = workbook.addWorksheet(sheetSpec.name);
		startSheet({ sheet, title: sheetSpec.title, columns: sheetSpec.columns });
		sheetSpec.rows.forEach((cells, i) => {
			putRow({ sheet, index: i + 1, cells, columns: sheetSpec.columns });
		});
	}
	// The browser build answers a Buffer (a view, maybe over a larger pool): copied into an
	// ArrayBuffer of its own, which a worker can transfer and a Blob takes whole.
	const written = (await workbook.xlsx.writeBuffer()) as ArrayBuffer | Uint8Array;
	const view =
		written instanceof Uint8Array
			? new Uint8Array(written.buffer, written.byteOffset, written.byteLength)
			: new Uint8Array(written);
	return view.slice().buffer;
}

type WorkerAnswer = { ok: true; bytes: ArrayBuffer } | { ok: false; message: string };

/** What the page sends the worker: each sheet's head, its rows in batches, then "finish". */
export type WorkerMessage =
	| { kind: 'sheet'; name: string; title: string; columns: readonly ExportColumn[] }
	| { kind: 'rows'; rows: readonly (readonly ExportCell[])[] }
	| { kind: 'finish' };

/**
 * Rows per message to the worker: copying a message blocks the page, and 16,000 rows of 33 cells
 * in one go would be a long task of its own.
 */
const ROWS_PER_MESSAGE = 500;

/**
 * The bytes, made off the main thread when the browser can (a worker per file, ended when done or
 * cancelled). `signal` aborting ends the worker at once.
 */
export async function packWorkbook(options: {
	spec: WorkbookSpec;
	signal?: AbortSignal;
}): Promise<ArrayBuffer> {
	const { spec, signal } = options;
	signal?.throwIfAborted();
	if (typeof Worker === 'undefined' || typeof window === 'undefined') {
		// No worker here: yield once so a progress label paints before the long task.
		await yieldToEventLoop();
		return buildWorkbook(spec);
	}
	const worker = new Worker(new URL('./roster-export-worker.ts', import.meta.url), {
		type: 'module'
	});
	try {
		const answer = new Promise<ArrayBuffer>((resolve, reject) => {
			const abort = () => reject(signal?.reason ?? new DOMException('Đã dừng.', 'AbortError'));
			signal?.addEventListener('abort', abort, { once: true });
			worker.onmessage = (event: MessageEvent<WorkerAnswer>) => {
				signal?.removeEventListener('abort', abort);
				if (event.data.ok) resolve(event.data.bytes);
				else reject(new Error(event.data.message));
			};
			worker.onerror = (event) => {
				signal?.removeEventListener('abort', abort);
				event.preventDefault();
				reject(new TypeError(event.message || 'export worker failed'));
			};
		});
		// An abort while the rows are still being sent must not go unheard.
		answer.catch(() => undefined);
		const send = (message: WorkerMessage) => worker.postMessage(message);
		for (const sheet of spec.sheets) {
			send({ kind: 'sheet', name: sheet.name, title: sheet.title, columns: sheet.columns });
			for (let start = 0; start < sheet.rows.length; start += ROWS_PER_MESSAGE) {
				signal?.throwIfAborted();
				send({ kind: 'rows', rows: sheet.rows.slice(start, start + ROWS_PER_MESSAGE) });
				await yieldToEventLoop();
			}
		}
		send({ kind: 'finish' });
		return await answer;
	} finally {
		worker.terminate();
	}
}

/** Rows made from items a chunk at a time, with a yield in between and progress after each chunk. */
export async function chunkedRows<T>(options: {
	items: readonly T[];
	row: (item: T, index: number) => ExportCell[];
	onProgress?: (progress: { done: number; total: number }) => void;
	signal?: AbortSignal;
}): Promise<ExportCell[][]> {
	const { items, row, onProgress, signal } = options;
	const rows: ExportCell[][] = [];
	for (let start = 0; start < items.length; start += EXPORT_CHUNK) {
		signal?.throwIfAborted();
		const end = Math.min(start + EXPORT_CHUNK, items.length);
		for (let i = start; i < end; i++) rows.push(row(items[i]!, i));
		onProgress?.({ done: end, total: items.length });
		await yieldToEventLoop();
	}
	return rows;
}
