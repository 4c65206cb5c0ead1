import type { OrgImportView } from '../../src/lib/domain/spreadsheets/org-import-plan';
import { api } from './org-api';
import { sheetRow } from './org-sheet-rows';
import type { TestServer } from './test-server';

// Sheets of units for the organisation import's tests, and the wait for an import to end.

export { sheetRow };

/** `count` communes, each with a secretary; logins start with `prefix` (unique per test run). */
export function communeRows(options: { count: number; prefix: string; namePrefix?: string }) {
	return Array.from({ length: options.count }, (_, index) => ({
		line: index + 2,
		row: sheetRow({
			name: `${options.namePrefix ?? 'Đoàn xã Thử'} ${index + 1}`,
			kind: 'Đoàn xã',
			fullName: `Nguyễn Văn Bí Thư ${index + 1}`,
			login: `${options.prefix}${index + 1}`,
			phone: '0912 345 678'
		})
	}));
}

/** Polls the import as the screen does (twice a second), until it is done or failed. */
export async function waitForImport(
	server: TestServer,
	options: { cookie: string; rootId: string; importId: string; ms?: number }
): Promise<OrgImportView> {
	const deadline = Date.now() + (options.ms ?? 300_000);
	for (;;) {
		const answer = await api<OrgImportView>(
			server,
			`/units/${options.rootId}/import/${options.importId}`,
			{ cookie: options.cookie }
		);
		if (answer.status !== 200) throw new Error(`import view: ${answer.status}`);
		if (answer.body.state !== 'running') return answer.body;
		if (Date.now() > deadline) throw new Error(`timed out waiting for import ${options.importId}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
