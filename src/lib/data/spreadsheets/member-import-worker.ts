import type {
	ExistingMember,
	ImportRowPreview
} from '$lib/domain/spreadsheets/member-import-types';
import {
	runImportJob,
	type ImportJobMessage,
	type ToWorkerMessage
} from './member-import-jobs';

// The members import's Web Worker: reading a file (exceljs, papaparse) and classifying thousands
// of rows off the main thread, so the screen keeps answering touches on a cheap phone; progress is
// posted as it goes. Started by member-import-client.ts, one job per worker, terminated to cancel.
// A job's preview rows and the unit's members, when it takes any, come first in `rows` and
// `existing` messages (member-import-jobs.ts).

const scope = self as unknown as {
	onmessage: ((event: MessageEvent<ToWorkerMessage>) => void) | null;
	postMessage: (message: ImportJobMessage) => void;
};

const rows: ImportRowPreview[] = [];
const existing: ExistingMember[] = [];

scope.onmessage = (event) => {
	const message = event.data;
	if (message.kind === 'rows') {
		for (const row of message.rows) rows.push(row);
		return;
	}
	if (message.kind === 'existing') {
		for (const member of message.members) existing.push(member);
		return;
	}
	void runImportJob({ job: message, rows, existing, post: (reply) => scope.postMessage(reply) });
};
