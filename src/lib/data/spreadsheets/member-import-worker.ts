import { runImportJob, type ImportJob, type ImportJobMessage } from './member-import-jobs';

// The members import's Web Worker: reading a file (exceljs, papaparse) and classifying thousands
// of rows off the main thread, so the screen keeps answering touches on a cheap phone; progress is
// posted as it goes. Started by member-import-client.ts, one job per worker, terminated to cancel.

const scope = self as unknown as {
	onmessage: ((event: MessageEvent<ImportJob>) => void) | null;
	postMessage: (message: ImportJobMessage) => void;
};

scope.onmessage = (event) => {
	void runImportJob(event.data, (message) => scope.postMessage(message));
};
