import type { SheetGrid } from '$lib/domain/spreadsheets/member-import-types';

// Reading a unit's spreadsheet file into a SheetGrid (docs/spreadsheets.md): .xlsx with exceljs,
// .csv (UTF-8) with papaparse. Runs in the import's Web Worker (member-import-worker.ts).

export class SheetReadError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SheetReadError';
	}
}

export async function readSheetFile(options: {
	data: ArrayBuffer;
	fileName: string;
	onProgress?: (rowsRead: number) => void;
}): Promise<SheetGrid> {
	void options;
	throw new Error('not yet');
}
