import type {
	IssuedAccount,
	OrgImportPlan,
	OrgImportView
} from '$lib/domain/spreadsheets/org-import-plan';
import type { OrgSheetRow } from '$lib/domain/spreadsheets/org-import-sheet';
import { apiRequest } from '$lib/data/online/api-client';

// The organisation import's endpoints (docs/architecture.md, "Organisation API"). Online only: the
// server founds the units and issues the accounts, and checks every row again before it does.

export type OrgRows = { line: number; row: OrgSheetRow }[];

const enc = encodeURIComponent;

/** The server's plan of the rows: nothing is written. */
export async function previewOrgImport(unitId: string, rows: OrgRows): Promise<OrgImportPlan> {
	const answer = await apiRequest<{ plan: OrgImportPlan }>({
		method: 'POST',
		path: `/units/${enc(unitId)}/import`,
		body: { rows, dryRun: true }
	});
	return answer.plan;
}

export function startOrgImport(
	unitId: string,
	rows: OrgRows
): Promise<{ plan: OrgImportPlan; import: OrgImportView; accounts: IssuedAccount[] }> {
	return apiRequest({
		method: 'POST',
		path: `/units/${enc(unitId)}/import`,
		body: { rows, dryRun: false }
	});
}

export function getOrgImport(unitId: string, importId: string): Promise<OrgImportView> {
	return apiRequest({ path: `/units/${enc(unitId)}/import/${enc(importId)}` });
}

export async function getOrgSheet(unitId: string): Promise<OrgSheetRow[]> {
	return (await apiRequest<{ rows: OrgSheetRow[] }>({ path: `/units/${enc(unitId)}/org-sheet` }))
		.rows;
}
