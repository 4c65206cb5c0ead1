import type { ImportRowPreview } from '$lib/domain/spreadsheets/member-import-types';
import { runImportJob, type ImportJob, type ImportJobMessage, type RowsMessage } from './member-import-jobs';

// The members import's Web Worker: reading a file (exceljs, papaparse) and classifying thousands
// of rows off the main thread, so the screen keeps answering touches on a cheap phone; progress is
// posted as it goes. Started by member-import-client.ts, one job per worker, terminated to cancel.
// A job's preview rows, when it takes any, come first in `rows` messages (member-import-jobs.ts).

const scope = self as unknown as {
	onmessage: ((event: MessageEvent<ImportJob | RowsMessage>) => void) | null;
	postMessage: (message: ImportJobMessage) => void;
};

const rows: ImportRowPreview[] = [];

scope.onmessage = (event) => {
	const message = event.data;
	if (message.kind === 'rows') {
		for (const row of message.rows) rows.push(row);
		return;
	}
	void runImportJob({ job: message, rows, post: (reply) => scope.postMessage(reply) });
};
