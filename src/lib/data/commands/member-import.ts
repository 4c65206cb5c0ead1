import type { ImportReport } from '$lib/domain/spreadsheets/member-import-types';
import type { MemberImportPlan } from '$lib/domain/spreadsheets/member-import-plan';

// Writing an import: all-or-nothing for the chosen rows (docs/spreadsheets.md).

export type MemberImportResult =
	| { ok: true; report: ImportReport }
	| { ok: false; cancelled: boolean; message: string };

export async function applyMemberImport(options: {
	/** The unit database (`unit_<id>`). */
	db: string;
	plan: MemberImportPlan;
	onProgress?: (written: number, total: number) => void;
	signal?: AbortSignal;
}): Promise<MemberImportResult> {
	void options;
	throw new Error('not yet');
}
