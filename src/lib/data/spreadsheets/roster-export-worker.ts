/// <reference lib="webworker" />
import {
	buildWorkbook,
	type SheetSpec,
	type WorkerMessage,
	type WorkbookSpec
} from './roster-export-book';

// Makes an export's .xlsx bytes off the main thread (roster-export-book.ts says why): the sheets
// arrive head first, then their rows in batches, then "finish"; the answer is the bytes
// (transferred, not copied) or the reason it could not make them.

const scope = self as unknown as DedicatedWorkerGlobalScope;
const sheets: (Omit<SheetSpec, 'rows'> & { rows: SheetSpec['rows'][number][] })[] = [];

scope.onmessage = async (event: MessageEvent<WorkerMessage>) => {
	const message = event.data;
	if (message.kind === 'sheet') {
		sheets.push({ name: message.name, title: message.title, columns: message.columns, rows: [] });
		return;
	}
	if (message.kind === 'rows') {
		sheets.at(-1)?.rows.push(...message.rows);
		return;
	}
	try {
		const spec: WorkbookSpec = { sheets };
		const bytes = await buildWorkbook(spec);
		scope.postMessage({ ok: true, bytes }, [bytes]);
	} catch (error) {
		scope.postMessage({
			ok: false,
			message: error instanceof Error ? error.message : 'Không tạo được tệp Excel.'
		});
	}
};
