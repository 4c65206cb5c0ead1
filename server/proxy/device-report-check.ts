import { isRecord } from './citizen-id-check';

// The write guard's check of device reports (`device-report:<deviceId>`, written by each device
// after a sync: src/lib/data/sync/device-report.ts): a device writes its own report only, so one
// account cannot make its unit's superiors see another phone's sync as healthy or failing.
// validate_doc_update already binds the id to the document's deviceId and the writer to updatedBy;
// which device is writing only the proxy knows (the device cookie).

export const NOT_THIS_DEVICE = 'Báo cáo đồng bộ chỉ do chính thiết bị đó gửi.';

export function deviceReportRefusals(options: {
	docs: unknown[];
	/** The writing device; without one (no device cookie) nothing is decided here. */
	deviceId: string | undefined;
}): Map<number, string> {
	const refused = new Map<number, string>();
	if (!options.deviceId) return refused;
	const own = `device-report:${options.deviceId}`;
	for (const [index, doc] of options.docs.entries()) {
		if (!isRecord(doc)) continue;
		const id = typeof doc._id === 'string' ? doc._id : '';
		if (doc.type !== 'device-report' && !id.startsWith('device-report:')) continue;
		if (id !== own || (doc._deleted !== true && doc.deviceId !== options.deviceId)) {
			refused.set(index, NOT_THIS_DEVICE);
		}
	}
	return refused;
}
