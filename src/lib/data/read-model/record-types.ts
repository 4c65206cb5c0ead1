// The document types the read model keeps whole in its `records` table (device-db.ts, RecordRow):
// small documents a screen shows as they are, read by database and type. A type added here is kept
// from then on; documents of it that a device already holds are folded in at the next rebuild.

export const RECORD_TYPES: ReadonlySet<string> = new Set([
	// The figures rolled up the tree, and the targets superiors set (domain/figures).
	'figures',
	'target',
	// What each device reports of its sync (domain/figures/device-report-schema.ts).
	'device-report',
	// Reminders (domain/reminders): sent, their status, received copies and this unit's receipts.
	'reminder',
	'reminder-status',
	'reminder-received',
	'reminder-receipt',
	// Self-declarations (domain/declarations): join links, members' declarations, the unit's reviews.
	'join-link',
	'declaration',
	'declaration-review',
	// Mail between units (domain/mail): sent mail and its status, received copies, this unit's
	// receipts, and the attendance recorded after a meeting.
	'mail',
	'mail-received',
	'mail-receipt',
	'mail-status',
	'meeting-attendance'
]);

export function isRecordType(type: unknown): type is string {
	return typeof type === 'string' && RECORD_TYPES.has(type);
}
