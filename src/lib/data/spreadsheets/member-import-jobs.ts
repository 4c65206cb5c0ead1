import {
	classifyImportRows,
	refreshImportPreview,
	type ImportContext
} from '$lib/domain/spreadsheets/member-import-plan';
import type {
	ColumnMapping,
	ImportPreview,
	SheetGrid
} from '$lib/domain/spreadsheets/member-import-types';
import { readSheetFile, SheetReadError } from './member-import-reader';

// The work the import's Web Worker does (member-import-worker.ts), as plain functions so the
// client can run the same code in the page where there is no Worker (tests in Node).

export type ImportJob =
	| { kind: 'read'; data: ArrayBuffer; fileName: string }
	| {
			kind: 'classify';
			context: ImportContext;
			grid: SheetGrid;
			sheetIndex: number;
			mapping: ColumnMapping;
	  }
	| { kind: 'refresh'; context: ImportContext; preview: ImportPreview };

export type ImportJobMessage =
	| { kind: 'progress'; stage: 'reading' | 'checking'; done: number; total: number }
	| { kind: 'done'; result: SheetGrid | ImportPreview }
	| { kind: 'failed'; message: string };

export async function runImportJob(
	job: ImportJob,
	post: (message: ImportJobMessage) => void
): Promise<void> {
	try {
		if (job.kind === 'read') {
			const grid = await readSheetFile({
				data: job.data,
				fileName: job.fileName,
				onProgress: (done) => post({ kind: 'progress', stage: 'reading', done, total: 0 })
			});
			post({ kind: 'done', result: grid });
			return;
		}
		if (job.kind === 'classify') {
			const sheet = job.grid.sheets[job.sheetIndex];
			if (sheet === undefined) throw new SheetReadError('Không có trang tính này trong tệp.');
			const preview = classifyImportRows({
				...job.context,
				sheet,
				fileName: job.grid.fileName,
				mapping: job.mapping,
				onProgress: (done, total) => post({ kind: 'progress', stage: 'checking', done, total })
			});
			post({ kind: 'done', result: preview });
			return;
		}
		post({ kind: 'done', result: refreshImportPreview({ ...job.context, preview: job.preview }) });
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
