import * as v from 'valibot';
import { UNIT_ID_PATTERN } from '../org/ids';

// `device-report:<deviceId>` (type `device-report`, version 1): what one device tells its unit's
// superiors of its sync — written by the device itself into its unit's database (secretary or
// deputy; a viewer's device writes nothing), at most every few hours or when a count changes, and
// read by the figures worker into the unit's figures (`activity.devices`). Counts only: never what
// waits or why it was refused.

export const DEVICE_REPORT_SCHEMA_VERSION = 1 as const;

const Timestamp = v.pipe(v.string(), v.isoTimestamp('Thời điểm phải theo dạng ISO 8601.'));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000));

export const DeviceReportDocSchema = v.object({
	_id: v.pipe(v.string(), v.regex(/^device-report:[A-Za-z0-9_-]{8,64}$/)),
	_rev: v.optional(v.string()),
	type: v.literal('device-report'),
	v: v.literal(DEVICE_REPORT_SCHEMA_VERSION),
	unitId: v.pipe(v.string(), v.regex(UNIT_ID_PATTERN)),
	deviceId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/)),
	/** The device's last complete sync of this unit's database. */
	syncedAt: Timestamp,
	/** Changes on the device not yet accepted, and of those the ones the server refused. */
	waiting: Count,
	refused: Count,
	createdAt: Timestamp,
	createdBy: v.string(),
	updatedAt: Timestamp,
	updatedBy: v.string()
});

export type DeviceReportDoc = v.InferOutput<typeof DeviceReportDocSchema>;

export function deviceReportDocId(deviceId: string): string {
	return `device-report:${deviceId}`;
}
