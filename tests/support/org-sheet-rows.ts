import type { OrgSheetRow } from '../../src/lib/domain/spreadsheets/org-import-sheet';

// Rows of the organisation sheet as the tests write them: only the cells a test cares about, the
// rest empty as in a sheet where those columns are left blank. Pure: the unit tests of the plan
// use it too, without the test server.

export function sheetRow(cells: Partial<OrgSheetRow>): OrgSheetRow {
	return {
		unitId: '',
		name: '',
		kind: '',
		parent: '',
		fullName: '',
		login: '',
		phone: '',
		...cells
	};
}
