/// <reference lib="webworker" />
import { buildWorkbook, type WorkbookSpec } from './roster-export-book';

// Makes an export's .xlsx bytes off the main thread (roster-export-book.ts says why), answering
// with the bytes (transferred, not copied) or the reason it could not.

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<WorkbookSpec>) => {
	try {
		const bytes = await buildWorkbook(event.data);
		scope.postMessage({ ok: true, bytes }, [bytes]);
	} catch (error) {
		scope.postMessage({
			ok: false,
			message: error instanceof Error ? error.message : 'Không tạo được tệp Excel.'
		});
	}
};
