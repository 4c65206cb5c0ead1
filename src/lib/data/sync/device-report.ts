import {
	DEVICE_REPORT_SCHEMA_VERSION,
	deviceReportDocId,
	type DeviceReportDoc
} from '$lib/domain/figures/device-report-schema';
import { deviceDb } from '$lib/data/store/device-db';
import { localDb } from '$lib/data/store/pouch';
import { recordOutbox } from './outbox';

// What this device tells its unit's superiors of its sync (`device-report:<deviceId>`,
// domain/figures/device-report-schema.ts): written into the unit's own database after a completed
// sync (UnitSync's idle, the one place that knows), when the counts changed or the last report is
// older than REPORT_EVERY_MS. Only a device that writes the unit's data reports (the engine passes
// no reporter for a viewer). Its own entry in the outbox is never counted: otherwise the report
// would count itself as waiting, its push would change the count, and every push would write
// another report — the sync loop would spin.

export const REPORT_EVERY_MS = 6 * 3_600_000;

export interface DeviceReporter {
	unitId: string;
	deviceId: string;
	login: string;
}

/** Writes the report if due; true when one was written. */
export async function reportSync(options: {
	db: string;
	reporter: DeviceReporter;
	/** The sync's completion (ISO). */
	at: string;
}): Promise<boolean> {
	const { db, reporter, at } = options;
	const id = deviceReportDocId(reporter.deviceId);
	const entries = await deviceDb.outbox.where('db').equals(db).toArray();
	const counted = entries.filter((entry) => entry.docId !== id);
	const waiting = counted.length;
	const refused = counted.filter((entry) => entry.refused).length;
	const local = localDb(db);
	const previous = await local.get<DeviceReportDoc>(id).catch(() => undefined);
	if (
		previous &&
		previous.waiting === waiting &&
		previous.refused === refused &&
		Date.parse(at) - Date.parse(previous.syncedAt) < REPORT_EVERY_MS
	) {
		return false;
	}
	const doc: DeviceReportDoc = {
		_id: id,
		...(previous?._rev ? { _rev: previous._rev } : {}),
		type: 'device-report',
		v: DEVICE_REPORT_SCHEMA_VERSION,
		unitId: reporter.unitId,
		deviceId: reporter.deviceId,
		syncedAt: at,
		waiting,
		refused,
		createdAt: previous?.createdAt ?? at,
		createdBy: previous?.createdBy ?? reporter.login,
		updatedAt: at,
		updatedBy: reporter.login
	};
	try {
		const result = await local.put(doc);
		await recordOutbox({ db, docId: id, rev: result.rev });
		return true;
	} catch {
		// A conflict (another tab reported at the same moment): the next sync reports again.
		return false;
	}
}
