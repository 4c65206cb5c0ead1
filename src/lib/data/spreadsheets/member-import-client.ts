import type { ColumnMapping, ImportPreview, SheetGrid } from '$lib/domain/spreadsheets/member-import-types';
import type { ImportContext } from '$lib/domain/spreadsheets/member-import-plan';

// The screens' way into the import's Web Worker (member-import-worker.ts): reading a file and
// classifying its rows off the main thread, with progress and cancel (the worker is terminated).

export interface ImportProgress {
	stage: 'reading' | 'checking';
	done: number;
	total: number;
}

/** Reads a file in the worker. Rejects with a Vietnamese message, or an AbortError on cancel. */
export async function readSheetInWorker(options: {
	data: ArrayBuffer;
	fileName: string;
	signal?: AbortSignal;
	onProgress?: (progress: ImportProgress) => void;
}): Promise<SheetGrid> {
	void options;
	throw new Error('not yet');
}

/** Classifies the rows of one sheet in the worker. */
export async function classifyInWorker(
	options: ImportContext & {
		grid: SheetGrid;
		sheetIndex: number;
		mapping: ColumnMapping;
		signal?: AbortSignal;
		onProgress?: (progress: ImportProgress) => void;
	}
): Promise<ImportPreview> {
	void options;
	throw new Error('not yet');
}

/**
 * The whole preview for a unit's database: the unit's members and branches from the read model,
 * the rows classified in the worker, clashes asked of the registry when online, and the documents
 * of the members the update rows name (so the preview lists what each update changes).
 * Returns the context too: revalidateImportRow and planMemberImport take it.
 */
export async function previewMemberImport(options: {
	db: string;
	grid: SheetGrid;
	sheetIndex: number;
	mapping: ColumnMapping;
	signal?: AbortSignal;
	onProgress?: (progress: ImportProgress) => void;
}): Promise<{ preview: ImportPreview; context: ImportContext }> {
	void options;
	throw new Error('not yet');
}
