import { headerKey } from '$lib/domain/spreadsheets/member-import-headers';
import type {
	ColumnMapping,
	RememberedMapping
} from '$lib/domain/spreadsheets/member-import-types';
import { getSetting, putSetting } from '$lib/data/store/device-db';

// The column mapping a secretary confirmed, remembered per unit and set of headers in the device
// database (IndexedDB settings, which survive reloads and are wiped with the device), so the
// unit's next file of the same shape maps itself. Kept by folded header (headerKey), so the same
// headers in another order still match.

const MAX_REMEMBERED = 20;

interface Stored {
	/** Folded headers joined, sorted: the header set. */
	shape: string;
	mapping: Record<string, ColumnMapping[number]>;
	at: string;
}

function settingKey(unitId: string): string {
	return `member-import-mappings:${unitId}`;
}

function shapeOf(headers: readonly string[]): string {
	return headers
		.map(headerKey)
		.filter((key) => key !== '')
		.sort()
		.join('|');
}

export async function recallColumnMapping(options: {
	unitId: string;
	headers: readonly string[];
}): Promise<RememberedMapping | undefined> {
	const stored = (await getSetting<Stored[]>(settingKey(options.unitId))) ?? [];
	const shape = shapeOf(options.headers);
	return stored.find((entry) => entry.shape === shape)?.mapping;
}

export async function rememberColumnMapping(options: {
	unitId: string;
	headers: readonly string[];
	mapping: ColumnMapping;
}): Promise<void> {
	const mapping: Stored['mapping'] = {};
	options.headers.forEach((header, index) => {
		const key = headerKey(header);
		if (key !== '' && !(key in mapping)) mapping[key] = options.mapping[index] ?? null;
	});
	const shape = shapeOf(options.headers);
	const stored = (await getSetting<Stored[]>(settingKey(options.unitId))) ?? [];
	const others = stored.filter((entry) => entry.shape !== shape);
	const next = [{ shape, mapping, at: new Date().toISOString() }, ...others].slice(
		0,
		MAX_REMEMBERED
	);
	await putSetting(settingKey(options.unitId), next);
}
