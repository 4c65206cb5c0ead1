import { unitIdOfDb } from '$lib/domain/org/ids';
import { recordExport } from './export-log-store';
import {
	memberFileName,
	memberFileRowCount,
	memberFileWorkbook,
	type MemberFileContent
} from './member-file-workbook';
import { downloadFile } from './download-file';

// "Xuất hồ sơ" on a member's profile: the file downloaded, the export logged for the audit trail
// (the member's record id, never her name).

export async function exportMemberFile(options: {
	content: MemberFileContent;
	/** The member's record: `member:<ULID>`, and the unit database she lives in. */
	memberId: string;
	db: string;
	today: string;
	login: string;
	signal?: AbortSignal;
}): Promise<{ rows: number; fileName: string }> {
	const { content, memberId, today } = options;
	const bytes = await memberFileWorkbook({ content, today, signal: options.signal });
	options.signal?.throwIfAborted();
	const fileName = memberFileName({ memberKey: memberId.replace(/^member:/, ''), today });
	downloadFile({ data: bytes, fileName });
	const rows = memberFileRowCount(content);
	await recordExport({
		entry: { unitId: unitIdOfDb(options.db), kind: 'member-file', rows, filters: {}, memberId },
		login: options.login
	});
	return { rows, fileName };
}
