import type {
	ColumnMapping,
	RememberedMapping
} from '$lib/domain/spreadsheets/member-import-types';

// The column mapping a secretary confirmed, remembered per unit and set of headers in the device
// database (IndexedDB settings), so the unit's next file of the same shape maps itself.

export async function recallColumnMapping(options: {
	unitId: string;
	headers: readonly string[];
}): Promise<RememberedMapping | undefined> {
	void options;
	throw new Error('not yet');
}

export async function rememberColumnMapping(options: {
	unitId: string;
	headers: readonly string[];
	mapping: ColumnMapping;
}): Promise<void> {
	void options;
	throw new Error('not yet');
}
