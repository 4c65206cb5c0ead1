import { deviceDb } from '$lib/data/store/device-db';

// What the app's frame needs of the figures: whether the signed-in unit's own figures list
// subordinate units (the "Tổng quan" tab and the landing). Kept apart from queries/figures.ts, and
// without parsing the whole document, so the frame that every screen loads stays as light as it was.

export async function hasSubordinates(options: {
	dbs: readonly string[];
	unitId: string;
}): Promise<boolean> {
	const keys = options.dbs.map((db) => `${db}|figures:${options.unitId}`); // RecordRow keys
	const rows = await deviceDb.records.bulkGet(keys);
	return rows.some((row) => {
		const children = row?.doc.children;
		return Array.isArray(children) && children.length > 0;
	});
}
