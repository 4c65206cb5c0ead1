import * as v from 'valibot';

// The consent a member gives when declaring her own profile (issue #14; Vietnam's Personal Data
// Protection Law 91/2025/QH15, in force from 1 January 2026): explicit — a box she ticks herself,
// never ticked for her — and provable later, so a declaration records which text she agreed to and
// when. A text, once published, never changes: a new wording is a new version, and the old ones
// stay here so every recorded consent can be shown as she read it.

// The texts live in consent-texts.ts (no valibot there: the member's page shows them before it
// loads any checking code); re-exported here.
export { CONSENT_TEXTS, CURRENT_CONSENT_VERSION, type ConsentText } from './consent-texts';
import { CONSENT_TEXTS, type ConsentText } from './consent-texts';

/** What a declaration records of the consent: the text's version, and when she ticked the box. */
export const ConsentRecordSchema = v.object({
	version: v.picklist(
		Object.keys(CONSENT_TEXTS) as [string, ...string[]],
		'Phiên bản nội dung đồng ý không có trong danh mục.'
	),
	/** Only `true` is a consent: an unticked box is refused, never stored as a "no". */
	given: v.literal(true, 'Cần đánh dấu đồng ý xử lý thông tin cá nhân để gửi bản khai.'),
	at: v.pipe(v.string(), v.isoTimestamp('Thời điểm đồng ý phải theo dạng ISO 8601.'))
});

export type ConsentRecord = v.InferOutput<typeof ConsentRecordSchema>;

export function consentText(version: string): ConsentText | null {
	return CONSENT_TEXTS[version] ?? null;
}
